# Thesis Table 5.2 (b): MB + FN. Plain Mamba block (raster scan, one direction, no PE) and
# the Restormer FFN (GDFN, factor 2) instead of SBDM + PE and SEFN.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(
            attn=dict(scanner=dict(_delete_=True, type='RasterScan'), pos_embed=False),
            ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False),
        )
    )
)
