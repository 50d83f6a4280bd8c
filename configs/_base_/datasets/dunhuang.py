# Dunhuang challenge 256x256 (HINT): official 500 train / 100 test images with the
# official test masks (same size as the images, about 500x800), paired by index.
# Deviation from the official code, on purpose: the official loader centre-crops
# the image but squashes the mask; here image and mask get the same centre crop
# (LoadMask first, then CenterCropResize on both). Train masks: random NVIDIA
# irregular masks (the official recipe does not name Dunhuang training masks).
_base_ = './nvidia_masks_256x256.py'
data_root = 'data/dunhuang'
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='LoadMask', convention='white_hole', resize=False),
    dict(type='CenterCropResize', size=256, mask_interpolation='bicubic'),
    dict(type='PackInpaintInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, img_source='train'))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ImageMaskDataset',
        data_root=data_root,
        img_source='test/images',
        mask_source='test/masks',
        mask_mode='paired',
        test_mode=True,
        pipeline=test_pipeline,
    )
)
test_dataloader = val_dataloader
