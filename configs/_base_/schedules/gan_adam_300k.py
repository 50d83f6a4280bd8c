# Official HINT recipe (reference-models.md §2.5): Adam lr 1e-4, betas (0.9, 0.999),
# D lr = 0.1 x G lr, no lr schedule, MAX_ITERS 300,001.
_base_ = ['./iter_loops_300k.py']

# GANs with a custom train_step need the per-network DDP wrapper (conventions §3.5);
# SeparateDDP is MMEngine's with checkpoint keys as on one device (generator.*); the
# scope prefix is needed: the runner looks the wrapper up in MMEngine's root registry
model_wrapper_cfg = dict(type='inpaintzoo.SeparateDDP')
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
