# Thesis Table 5.1 (b): MB + GDFN (no SRSA branch, GDFN instead of CBFN). Block =
# x += MambaMixer(norm1(x)) (raster scan + PE, as MxT's Mamba branch); x += GDFN(norm2(x)).
_base_ = './mxt-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(
            _delete_=True,
            type='AttnFFNBlock',
            # MambaMixer's defaults are MxT's: PE on, MambaBlock(d_state 16, d_conv 4,
            # expand 2); test_mxt_configs.py checks it equals the Hybrid Module's branch
            attn=dict(
                type='MambaMixer', scanner=dict(type='RasterScan'), pos_embed=True
            ),
            ffn=dict(type='GDFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        )
    )
)
