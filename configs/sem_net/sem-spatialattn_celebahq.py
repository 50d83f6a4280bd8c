# SEM-Net ablation (Table 5.3): spatial self-attention (MxT's SRSA: every pixel attends to an 8x8 pooled key/value grid, linear in H*W) instead of the Snake Mamba Block.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(_delete_=True, type='SRSA', pool_size=8, bias=False))
    )
)
