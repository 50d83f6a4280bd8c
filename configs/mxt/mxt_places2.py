# MxT, official recipe on Places2 (Places365-Standard) (reference-models.md §3.8):
# batch 4, 256x256, Adam 1e-4 (D 1e-5), L1 (NOT / hole ratio) 1 + perceptual 0.1 +
# style 250 + lsgan 0.01. Official MAX_ITERS 4,000,001 means "run until stopped";
# we stop at 300k like HINT (configs/mxt/README.md). The official code trains with
# AMP; ours trains in fp32 by default (`tools/train.py --amp` on a GPU).
_base_ = [
    '../_base_/models/mxt.py',
    '../_base_/datasets/places2.py',
    '../_base_/schedules/gan_adam_300k.py',
    '../_base_/default_runtime.py',
]
