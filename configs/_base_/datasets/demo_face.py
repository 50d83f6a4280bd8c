# Offline face demo data with 68-point landmarks (64x64, NCLG-MT), written by
#   python tools/dataset_converters/prepare_demo_data.py data/demo_face --face
# (inpaintzoo/datasets/demo_face.py): train = 48 crops of skimage's astronaut,
# val/test = crops of matplotlib's grace_hopper (a face never trained on), one
# landmark file per image (<split>/landmarks/<image stem>.txt, image pixels).
# Training masks are generated (FreeFormMask), val and test masks are fixed files.
_base_ = './image_mask_loaders.py'
data_root = 'data/demo_face'
img_size = 64

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='LoadLandmarks'),
    dict(type='CenterCropResize', size=img_size),
    dict(type='RandomHorizontalFlip', prob=0.5, flip_pairs='face68'),
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
    dict(type='LoadLandmarks'),
    dict(type='CenterCropResize', size=img_size),
    dict(type='LoadMask', convention='white_hole', resize=True),
    dict(type='PackInpaintInputs'),
]

# loaders run in the main process (no workers): a few tiny pictures
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        img_source='train/images',
        landmark_source='train/landmarks',
        pipeline=train_pipeline,
    ),
)
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        img_source='test/images',
        mask_source='test/masks',
        mask_mode='paired',
        landmark_source='test/landmarks',
        pipeline=test_pipeline,
    ),
)
val_dataloader = dict(
    test_dataloader,
    dataset=dict(
        test_dataloader['dataset'],
        img_source='val/images',
        mask_source='val/masks',
        landmark_source='val/landmarks',
    ),
)
