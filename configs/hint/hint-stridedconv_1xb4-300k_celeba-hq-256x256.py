# Ablation: strided-convolution down-sampling (conv 4x4, stride 2, C -> 2C) instead of
# the mask-aware MPD; the down-sampler does not see the mask.
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(generator=dict(down=dict(type='StridedConvDownsample')))
