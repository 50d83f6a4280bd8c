# Ablation root of thesis Table 4.10 (row "SCAL (Ours)"): HINT on CelebA-HQ resized to
# 64x64 (thesis §4.3.4: the SSA variant only fits a single A100 at 64x64, so both rows
# of the table are trained at 64x64), 30,000 iterations (shared ablation schedule).
# Only the image size of the 256x256 pipelines changes; the masks are resized to it.
_base_ = [
    '../_base_/models/hint.py',
    '../_base_/datasets/celeba_hq.py',
    '../_base_/schedules/ablation_30k.py',
    '../_base_/default_runtime.py',
]
img_size = 64
mask_root = 'data/nvidia_masks'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='RandomMaskFromFiles',
        mask_source=mask_root + '/train',
        convention='white_hole',
        interpolation='bicubic',
        threshold_after_resize=True,
    ),
    dict(type='PackInpaintInputs'),
]
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='LoadMask',
        convention='white_hole',
        resize=True,
        interpolation='bicubic',
        threshold_after_resize=True,
    ),
    dict(type='PackInpaintInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
