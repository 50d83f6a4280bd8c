# Thesis Table 5.7 (a) raster scan (one direction, no snake, no Bi-D) with PE and SEFN. Also the U-Mamba row of Table 5.4 (U-Mamba flattens in raster order).
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(scanner=dict(_delete_=True, type='RasterScan')))
    )
)
