# GoPro (Nah et al. 2017, GOPRO_Large): data/gopro/{train,test}/<sequence>/{blur,sharp}/.
# Training: random 256x256 crops of the same place in both images + flips (an
# assumption: the thesis names no crop size; 256 is the crop of SFNet and MIMO-UNet.
# Restormer trains progressively, 128 up to 384, which the thesis says SEM-Net does not).
# Test: the 1,111 full 1280x720 test pairs, one at a time (the U-Net pads to 16).
_base_ = './paired_image_loaders.py'
data_root = 'data/gopro'
crop_size = 256

train_pipeline = [
    dict(type='LoadPairedImages'),
    dict(type='PairedRandomCrop', size=crop_size),
    dict(type='PairedRandomFlip', horizontal=0.5, vertical=0.5),
    dict(type='PackRestorationInputs'),
]
test_pipeline = [
    dict(type='LoadPairedImages'),
    dict(type='PackRestorationInputs'),
]
train_dataloader = dict(
    dataset=dict(
        layout='gopro', data_root=data_root, split='train', pipeline=train_pipeline
    ),
)
val_dataloader = dict(
    dataset=dict(
        layout='gopro', data_root=data_root, split='test', pipeline=test_pipeline
    ),
)
test_dataloader = val_dataloader
