# Places2 256x256: Places365-Standard train, official validation set as test.
# Train masks: random NVIDIA irregular masks (mode 3); test masks: fixed NVIDIA
# test masks paired by index (mode 6), one dataset per hole-ratio bucket.
dataset_type = 'ImageMaskDataset'
data_root = 'data/places2'
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
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='LoadMask', convention='white_hole', resize=True, interpolation='bicubic'
    ),
    dict(type='PackInpaintInputs'),
]


def _test_set(bucket):
    return dict(
        type=dataset_type,
        img_source=data_root + '/flists/val.flist',  # sources relative to the cwd
        mask_source=mask_root + '/test_buckets/' + bucket,
        mask_mode='paired',
        test_mode=True,
        pipeline=test_pipeline,
    )


train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_source='flists/train.flist',
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
        type='ConcatDataset',
        datasets=[_test_set('0.01-20%'), _test_set('20-40%'), _test_set('40-60%')],
    ),
)
test_dataloader = val_dataloader
