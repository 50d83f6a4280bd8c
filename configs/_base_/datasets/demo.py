# Offline demo data (64x64), written by
#   python tools/dataset_converters/prepare_demo_data.py data/demo
# Training masks are generated (FreeFormMask), val and test masks are fixed files.
dataset_type = 'ImageMaskDataset'
data_root = 'data/demo'
img_size = 64

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(
        type='FreeFormMask',
        max_vertices=8,
        max_length=16,
        brush_width=(3, 8),
        num_boxes=(0, 1),
        box_size=(0.1, 0.3),
    ),
    dict(type='PackInpaintInputs'),
]
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    dict(type='LoadMask', convention='white_hole', resize=True),
    dict(type='PackInpaintInputs'),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_source='train',
        pipeline=train_pipeline,
    ),
)
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
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
# validation during training uses its own 4 crops (of a third picture), so the
# val grids and metrics differ from the test ones
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        img_source='val/images',
        mask_source='val/masks',
        mask_mode='paired',
        test_mode=True,
        pipeline=test_pipeline,
    ),
)
