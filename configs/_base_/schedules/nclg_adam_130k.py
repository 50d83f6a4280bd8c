# Official NCLG-MT recipe (reference-models.md §5.6, released config.yml): Adam lr
# 2.92e-4, betas (0.0, 0.9), D lr = 0.1 x G lr (2.92e-5), MultiStepLR x0.78 at
# 20k, 40k, ..., 120k iterations, stepped every iteration for both G and D;
# MAX_ITERS 130,000 (batch size 1 is set in the recipe's dataloader).
_base_ = ['./gan_adam_300k.py']
max_iters = 130_000
val_interval = 10_000

train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=2.92e-4, betas=(0.0, 0.9))),
    discriminator=dict(optimizer=dict(lr=2.92e-5, betas=(0.0, 0.9))),
)
# a list applies to each optimiser of the OptimWrapperDict (G and D alike)
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[20_000, 40_000, 60_000, 80_000, 100_000, 120_000],
        gamma=0.78,
    )
]
