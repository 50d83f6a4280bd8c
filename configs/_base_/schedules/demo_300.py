# Demo schedule: 300 iterations with a 10x higher lr than the paper recipe, one
# validation at the end (configs/*/*_demo-64x64.py).
_base_ = './gan_adam_300k.py'
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-3)),
    discriminator=dict(optimizer=dict(lr=1e-4)),
)
