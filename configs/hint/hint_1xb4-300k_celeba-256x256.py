# HINT, official recipe on CelebA (official partition) (reference-models.md §2.5): batch 4, 256x256,
# Adam 1e-4 (D 1e-5), L1 (/ hole ratio) 1 + perceptual 0.1 + style 250 + lsgan 0.01.
_base_ = [
    '../_base_/models/hint.py',
    '../_base_/datasets/celeba.py',
    '../_base_/schedules/gan_adam_300k.py',
    '../_base_/default_runtime.py',
]
