# HINT on a folder of your own pictures (docs/data_preparation.md, "Your own pictures"):
# data/own/train/ and data/own/val/, generated free-form masks, no NVIDIA masks.
#   python tools/train.py configs/hint/hint_1xb4-300k_own-folder-256x256.py \
#       --cfg-options train_cfg.max_iters=20000
# Put (or symlink) the pictures there, or copy configs/_base_/datasets/own_folder.py
# into that folder, change its data_root / img_size and point _base_ below at the copy.
_base_ = [
    '../_base_/models/hint.py',
    '../_base_/datasets/own_folder.py',
    '../_base_/schedules/gan_adam_300k.py',
    '../_base_/default_runtime.py',
]
