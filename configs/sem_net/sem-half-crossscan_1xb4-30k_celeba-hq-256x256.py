# Thesis Table 5.4, "VMamba": VMamba's four-way cross scan (CrossScan: rows, columns and
# both reversed, one LayerNorm + Mamba per direction, summed) instead of SBDM; PE and
# SEFN kept. Only the scan is VMamba's (its SS2D block is not rebuilt).
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(block=dict(attn=dict(scanner=dict(_delete_=True, type='CrossScan'))))
)
