# Thesis Table 5.2 (e): MB + SEFN + SBDM. Bi-directional snake without the PE layer.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(attn=dict(pos_embed=False))))
