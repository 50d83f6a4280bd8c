# Thesis Table 4.4 A "w/o MPD": conventional pixel-shuffle down-sampling (PD: conv 3x3
# C -> C/2, pixel-unshuffle, no mask) instead of HINT's mask-aware MPD.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(down=dict(type='PixelUnshuffleDownsample')))
