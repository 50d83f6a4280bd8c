# Thesis ablation schedule (chapters 4 and 5): every ablation row was trained for
# 30,000 iterations (thesis §4.3.4 for HINT on CelebA-HQ, §5.4.5 for MxT / SEM-Net
# with halved models). The optimiser settings are the paper recipe's
# (gan_adam_300k.py); only the length and the validation interval change.
# Use it in an *ablation root* that lists this file in place of gan_adam_300k.py
# (MMEngine refuses the duplicate keys of listing both); the rows inherit the root
# (docs/ablations.md, tests/test_configs/config_diff.py:ablation_roots).
_base_ = ['./gan_adam_300k.py']
max_iters = 30_000
val_interval = 5_000
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
