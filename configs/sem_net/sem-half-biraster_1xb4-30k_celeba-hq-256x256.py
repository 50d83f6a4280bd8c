# Thesis Table 5.7 (b) Bi-D without snake: raster rows + raster columns (BiRasterScan, one LayerNorm + Mamba per direction, summed), with PE and SEFN.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(scanner=dict(_delete_=True, type='BiRasterScan')))
    )
)
