# Thesis Table 4.10 "w SSA": SCAL's spatial branch replaced by traditional spatial
# self-attention over all pixels (softmax attention, one head), at 64x64.
_base_ = './hint_1xb4-30k_celeba-hq-64x64.py'
model = dict(
    generator=dict(block=dict(attn=dict(spatial=dict(type='SpatialSelfAttention'))))
)
