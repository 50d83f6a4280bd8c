# SEM-Net ablation (Table 5.2 (e)): raster Mamba + PE with SEFN.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(scanner=dict(_delete_=True, type='RasterScan')))
    )
)
