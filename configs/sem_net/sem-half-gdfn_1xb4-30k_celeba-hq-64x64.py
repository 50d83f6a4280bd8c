# Thesis Table 5.3, "SMB" at 64x64: sem-half-gdfn (SMB + vanilla FFN) trained and tested on
# CelebA-HQ resized to 64x64 (the only swap: the crop size of the data pipelines).
_base_ = './sem-half-gdfn_1xb4-30k_celeba-hq-256x256.py'
train_dataloader = dict(
    dataset=dict(
        pipeline=[
            dict(type='LoadImage'),
            dict(type='CenterCropResize', size=64),
            dict(
                type='RandomMaskFromFiles',
                mask_source='data/nvidia_masks/train',
                convention='white_hole',
                interpolation='bicubic',
                threshold_after_resize=True,
            ),
            dict(type='PackInpaintInputs'),
        ]
    )
)
val_dataloader = dict(
    dataset=dict(
        pipeline=[
            dict(type='LoadImage'),
            dict(type='CenterCropResize', size=64),
            dict(
                type='LoadMask',
                convention='white_hole',
                resize=True,
                interpolation='bicubic',
                threshold_after_resize=True,
            ),
            dict(type='PackInpaintInputs'),
        ]
    )
)
test_dataloader = val_dataloader
