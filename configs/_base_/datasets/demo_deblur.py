# Offline deblurring demo: the sharp demo crops (data/demo, written by
#   python tools/dataset_converters/prepare_demo_data.py data/demo)
# blurred on the fly with random motion kernels (RandomMotionBlur). Training draws a new
# kernel per sample and iteration; val/test kernels are fixed per image (seed), so the
# scores are comparable between runs.
_base_ = './paired_image_loaders.py'
data_root = 'data/demo'
crop_size = 32
blur = dict(type='RandomMotionBlur', kernel_size=(5, 9), turn_std=0.3)

train_pipeline = [
    dict(type='LoadPairedImages'),
    dict(type='PairedRandomCrop', size=crop_size),
    dict(type='PairedRandomFlip', horizontal=0.5),
    blur,
    dict(type='PackRestorationInputs'),
]
test_pipeline = [
    dict(type='LoadPairedImages'),
    dict(blur, seed=0),
    dict(type='PackRestorationInputs'),
]
# loaders run in the main process (no workers): a few tiny pictures
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        layout='sharp', data_root=data_root, gt_source='train', pipeline=train_pipeline
    ),
)
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        layout='sharp',
        data_root=data_root,
        gt_source='test/images',
        pipeline=test_pipeline,
    ),
)
val_dataloader = dict(
    test_dataloader,
    dataset=dict(test_dataloader['dataset'], gt_source='val/images'),
)
