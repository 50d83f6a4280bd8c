# SEM-Net ablation (Tables 5.7 / 5.4): raster scan, one uni-directional Mamba (RasterScan, K=1) instead of the bi-directional snake.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(scanner=dict(_delete_=True, type='RasterScan')))
    )
)
