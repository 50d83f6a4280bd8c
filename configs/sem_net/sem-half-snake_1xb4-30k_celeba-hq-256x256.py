# Thesis Table 5.7 (c) snake without Bi-D: one horizontal row snake (SnakeScan), with PE and SEFN.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(block=dict(attn=dict(scanner=dict(_delete_=True, type='SnakeScan'))))
)
