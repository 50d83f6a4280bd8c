# SEM-Net ablation (Table 5.7): raster rows + raster columns (BiRasterScan, K=2, one LN +
# Mamba per direction, summed) instead of the bi-directional snake.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(scanner=dict(_delete_=True, type='BiRasterScan')))
    )
)
