# MxT, official recipe on CelebA-HQ (28k train / 2k test) (reference-models.md §3.8):
# batch 4, 256x256, Adam 1e-4 (D 1e-5), L1 (NOT / hole ratio) 1 + perceptual 0.1 +
# style 250 + lsgan 0.01; 300k iterations (official MAX_ITERS 4,000,001 = until
# stopped, see configs/mxt/README.md).
_base_ = [
    '../_base_/models/mxt.py',
    '../_base_/datasets/celeba_hq.py',
    '../_base_/schedules/gan_adam_300k.py',
    '../_base_/default_runtime.py',
]
