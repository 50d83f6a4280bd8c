# SEM-Net, official recipe on celeba_hq (reference-models.md §4.6, same as MxT §3.8 but
# L1 / mean(M)): batch 4, 256x256, Adam 1e-4 (D 1e-5), L1 1 + perceptual 0.1 +
# style 250 + lsgan 0.01. AMP in the official code (our --amp is GPU only).
_base_ = [
    '../_base_/models/sem_net.py',
    '../_base_/datasets/celeba_hq.py',
    '../_base_/schedules/gan_adam_300k.py',
    '../_base_/default_runtime.py',
]
