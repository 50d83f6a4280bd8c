# Official HINT recipe (reference-models.md §2.5): Adam lr 1e-4, betas (0.9, 0.999),
# D lr = 0.1 x G lr, no lr schedule, MAX_ITERS 300,001.
_base_ = ['./iter_loops_300k.py']

# GANs with a custom train_step need the per-network DDP wrapper (conventions §3.5)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999))
    ),
    discriminator=dict(
        type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-5, betas=(0.9, 0.999))
    ),
)
param_scheduler = []
