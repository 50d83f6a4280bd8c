# Ablation: plain pixel-unshuffle down-sampling instead of the mask-aware MPD.
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(generator=dict(down=dict(_delete_=True, type='PixelUnshuffleDownsample')))
