# Ablation (b) of thesis Table 5.1: no SRSA branch. Block = Mamba layer -> CBFN
# (x += MambaMixer(norm1(x)); x += CBFN(norm2(x))), everything else as mxt_celebahq.py.
_base_ = './mxt_celebahq.py'
model = dict(
    generator=dict(
        block=dict(
            _delete_=True,
            type='AttnFFNBlock',
            attn=dict(type='MambaMixer', scanner=dict(type='RasterScan')),
            ffn=dict(type='CBFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        )
    )
)
