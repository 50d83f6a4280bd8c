# Thesis Table 5.2 (c): MB + SEFN. Plain Mamba block (raster scan, one direction, no PE)
# instead of SBDM + PE; SEFN kept.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(
            attn=dict(scanner=dict(_delete_=True, type='RasterScan'), pos_embed=False)
        )
    )
)
