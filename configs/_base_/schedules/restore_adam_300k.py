# Restoration schedule (one network, one optimiser). The thesis gives no deblurring
# schedule; we keep SEM-Net's inpainting recipe (reference-models.md §4.6): Adam lr 1e-4,
# betas (0.9, 0.999), no lr schedule, 300k iterations. An assumption, see
# docs/deblurring.md.
_base_ = ['./iter_loops_300k.py']

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999))
)
param_scheduler = []
