# SEM-Net ablation (Table 5.3): channel (transposed) attention instead of the Snake Mamba Block.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(_delete_=True, type='ChannelAttention', bias=False))
    )
)
