# Thesis Table 4.8 "MPD (Ours)": the baseline (hint-baseline-cd) with HINT's mask-aware
# pixel-shuffle down-sampling instead of the strided convolution.
_base_ = './hint-baseline-cd_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(down=dict(type='MaskAwareDownsample')))
