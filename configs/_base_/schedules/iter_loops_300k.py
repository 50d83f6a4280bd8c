# Iteration-based loops of the 300k-iteration recipes, shared by gan_adam_300k.py
# (GAN inpainting: two optimisers) and restore_adam_300k.py (restoration: one):
# 300,000 training iterations, validation every 10,000, one pass for val and test.
max_iters = 300_000
val_interval = 10_000

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval
)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
