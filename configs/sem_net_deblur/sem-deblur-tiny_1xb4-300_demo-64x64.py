# Offline deblurring demo: a tiny SEM-Net restorer (dim 8, one SEM block per level,
# Mamba state 4) trained on 32x32 crops of the bundled demo pictures blurred on the fly
# with random motion kernels (no download; runs on a CPU). Output conv starts at zero,
# so the untrained restorer returns its input (the blurred PSNR) and training can only
# start from there.
# The name's "demo-64x64" is the demo data set (64x64 pictures, written by
# prepare_demo_data.py), as in every *_demo-64x64 config; val and test restore the
# whole 64x64 pictures. The training crop is 32x32 (crop_size of
# ../_base_/datasets/demo_deblur.py), which img_size states.
_base_ = [
    '../_base_/models/sem_net_deblur.py',
    '../_base_/datasets/demo_deblur.py',
    '../_base_/schedules/restore_adam_300k.py',
    '../_base_/default_runtime.py',
]
img_size = 32  # training crop (crop_size of demo_deblur.py); restorers run any size
model = dict(
    generator=dict(
        dim=8,
        num_blocks=[1, 1, 1, 1],
        num_heads=[1, 1, 1, 1],
        block=dict(attn=dict(mamba=dict(d_state=4))),
        # zero only the output conv (`layer` matches nothing else): identity at start
        init_cfg=dict(
            type='Constant', layer='NoOtherLayer', val=0.0, override=dict(name='output')
        ),
    )
)
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1),
)
custom_hooks = []
val_evaluator = [dict(type='RestorationMetric', ssim_window='matlab')]  # as GoPro
test_evaluator = val_evaluator
