# SEM-Net ablation (Table 5.2 (d)): SMB (bi-directional snake + PE), plain GDFN.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False))
    )
)
