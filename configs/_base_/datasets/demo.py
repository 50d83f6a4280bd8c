# Offline demo data (64x64), written by
#   python tools/dataset_converters/prepare_demo_data.py data/demo
# Training masks are generated (FreeFormMask), val and test masks are fixed files.
_base_ = './image_mask_loaders.py'
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
# test/val keep each picture's native size (the demo crops are img_size already;
# pictures of another size, e.g. a folder of your own, come back at their size)
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='LoadMask', convention='white_hole', resize=True),
    dict(type='PackInpaintInputs'),
]

# loaders run in the main process (no workers): a few tiny pictures
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, img_source='train', pipeline=train_pipeline),
)
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        img_source='test/images',
        mask_source='test/masks',
        mask_mode='paired',
        pipeline=test_pipeline,
    ),
)
# validation during training uses its own 4 crops (of a third picture), so the
# val grids and metrics differ from the test ones
val_dataloader = dict(
    test_dataloader,
    dataset=dict(
        test_dataloader['dataset'], img_source='val/images', mask_source='val/masks'
    ),
)
