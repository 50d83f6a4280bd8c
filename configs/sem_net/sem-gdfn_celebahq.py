# SEM-Net ablation (Table 5.7): plain gated depth-wise FFN (GDFN, factor 2) instead of SEFN (no spatial branch).
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False))
    )
)
