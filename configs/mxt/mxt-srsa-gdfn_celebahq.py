# Ablation (c) of thesis Table 5.1: no Mamba branch, GDFN instead of CBFN.
# Block = SRSA -> GDFN (factor 2), everything else as mxt_celebahq.py.
_base_ = './mxt_celebahq.py'
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
