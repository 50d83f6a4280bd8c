# Demo schedule and runtime (configs/*/*_demo-64x64.py): 300 iterations with a 10x
# higher lr than the paper recipe, one validation and one checkpoint at the end.
_base_ = ['./gan_adam_300k.py', '../default_runtime.py']
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-3)),
    discriminator=dict(optimizer=dict(lr=1e-4)),
)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1),
)
