# SEM-Net ablation (Table 5.4): VMamba-style 4-way cross scan (CrossScan, K=4: rows, columns and both reversed), one LayerNorm + Mamba per direction.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(block=dict(attn=dict(scanner=dict(_delete_=True, type='CrossScan'))))
)
