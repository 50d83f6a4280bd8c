# CelebA 256x256 with 68-point face landmarks (NCLG-MT; thesis section 3.5, official
# NCLG-MT data layout): the official partition as in celeba.py, plus one landmark file
# per image (docs/data_preparation.md, "CelebA landmarks"):
#   data/celeba/images/*.jpg                  aligned 178x218 CelebA images
#   data/celeba/landmarks/<image stem>.txt    one line: x0 y0 ... x67 y67 (image pixels)
#   data/celeba/flists/{train,val,test}.flist
# written by tools/dataset_converters/prepare_landmarks.py. Images are centre-cropped to
# 178x178 and resized to 256; the landmarks get the same shift and scale, rounded and
# clamped to [0, 255] as the official code does (landmark_rounding='official'). A
# missing landmark file is reported when the dataset loads. NVIDIA irregular masks:
# random training masks (official mode 3: any value > 0 is a hole), fixed test masks
# per hole-ratio bucket (official mode 6 of NCLG-MT: grey value > 100 after the resize);
# the thesis drew 3,300 training and 200 validation masks from each of the three buckets.
_base_ = './celeba.py'
data_root = 'data/celeba'
mask_root = 'data/nvidia_masks'
img_size = 256

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='LoadLandmarks'),
    dict(type='CenterCropResize', size=img_size, landmark_rounding='official'),
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
    dict(type='LoadLandmarks'),
    dict(type='CenterCropResize', size=img_size, landmark_rounding='official'),
    dict(
        # the official NCLG-MT test (mask mode 6, reference-models §1.10): resize the
        # grey mask (bicubic), then a value > 100 is a hole (HINT/MxT/SEM-Net: > 0)
        type='LoadMask',
        convention='white_hole',
        resize=True,
        interpolation='bicubic',
        threshold=100,
        threshold_after_resize=True,
    ),
    dict(type='PackInpaintInputs'),
]

train_dataloader = dict(
    batch_size=1,  # the released NCLG-MT config.yml (the thesis says 4)
    dataset=dict(
        data_root=data_root, landmark_source='landmarks', pipeline=train_pipeline
    ),
)
val_dataloader = dict(
    dataset=dict(
        # relative to the working directory, like img_source (no data_root here)
        landmark_source=data_root + '/landmarks',
        pipeline=test_pipeline,
    )
)
test_dataloader = val_dataloader
