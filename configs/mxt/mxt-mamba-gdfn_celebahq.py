# Ablation (d) of thesis Table 5.1: no SRSA branch, GDFN instead of CBFN.
# Block = Mamba layer -> GDFN (factor 2), everything else as mxt_celebahq.py.
_base_ = './mxt_celebahq.py'
model = dict(
    generator=dict(
        block=dict(
            _delete_=True,
            type='AttnFFNBlock',
            attn=dict(type='MambaMixer', scanner=dict(type='RasterScan')),
            ffn=dict(type='GDFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        )
    )
)
