# Thesis Table 5.1 (c): SRSA + GDFN (no Mamba branch, GDFN instead of CBFN). Block =
# x += SRSA(norm1(x)); x += GDFN(norm2(x)).
_base_ = './mxt-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(
            _delete_=True,
            type='AttnFFNBlock',
            attn=dict(type='SRSA', pool_size=8, bias=False),
            ffn=dict(type='GDFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        )
    )
)
