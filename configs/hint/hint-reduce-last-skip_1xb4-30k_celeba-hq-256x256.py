# Thesis Table 4.6 "w 1x1 conv": a 1x1 convolution (2C -> C) after the last skip
# connection, so the last decoder level and the output conv run at C instead of 2C.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(reduce_last_skip=True))
