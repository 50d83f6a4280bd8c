# Common 256x256 data config of the official recipe (HINT, MxT, SEM-Net):
# train = images centre-cropped and resized to 256, with random NVIDIA irregular masks
# (official mode 3); test = fixed NVIDIA test masks paired by index cyclically
# (official mode 6, mask_pairing='cyclic'), once per hole-ratio bucket (mask folders sorted by
# tools/dataset_converters/sort_masks_by_ratio.py). Dataset files override the paths.
_base_ = './image_mask_loaders.py'
data_root = 'data/images'  # overridden by each dataset config
mask_root = 'data/nvidia_masks'
img_size = 256

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='RandomMaskFromFiles',
        mask_source=mask_root + '/train',
        convention='white_hole',
        interpolation='bicubic',
        threshold_after_resize=True,  # official: resize the grey mask, then > 0 is a hole
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

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        img_source='flists/train.flist',
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    dataset=dict(
        # paths relative to the working directory: the masks live outside data_root
        img_source=data_root + '/flists/test.flist',
        mask_source=mask_root + '/test_buckets',
        mask_mode='paired_per_bucket',
        buckets=['0.01-20%', '20-40%', '40-60%'],
        # official mode 6: image i gets mask i mod n_masks, so masks are reused
        # (with a logged warning) when a bucket holds fewer masks than images
        mask_pairing='cyclic',
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
