# Dunhuang challenge 256x256 (HINT): official 500 train / 100 test images with the
# official test masks (same size as the images, about 500x800), paired by index.
# Deviation from the official code, on purpose: the official loader centre-crops
# the image but squashes the mask; here image and mask get the same centre crop
# (LoadMask first, then CenterCropResize on both). Train masks: random NVIDIA
# irregular masks (the official recipe does not name Dunhuang training masks).
dataset_type = 'ImageMaskDataset'
data_root = 'data/dunhuang'
mask_root = 'data/nvidia_masks'
img_size = 256

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='RandomMaskFromFiles',
        mask_source=mask_root + '/train',
        convention='white_hole',
        interpolation='bicubic',  # official resize, then any value > 0 is a hole
    ),
    dict(type='PackInpaintInputs'),
]
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='LoadMask', convention='white_hole', resize=False),
    dict(type='CenterCropResize', size=img_size, mask_interpolation='bicubic'),
    dict(type='PackInpaintInputs'),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_source='train',
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_source='test/images',
        mask_source='test/masks',
        mask_mode='paired',
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
test_dataloader = val_dataloader
