# SEM-Net ablation (Tables 5.7 / 5.4): uni-directional row snake only (SnakeScan, K=1).
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(block=dict(attn=dict(scanner=dict(_delete_=True, type='SnakeScan'))))
)
