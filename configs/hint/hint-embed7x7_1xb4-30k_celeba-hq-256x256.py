# Thesis Table 4.7 "7x7 emb": the gated embedding with a 7x7 kernel instead of 3x3.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(embed=dict(kernel_size=7)))
