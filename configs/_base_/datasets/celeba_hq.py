# CelebA-HQ 256x256: first 28,000 images (numeric order) train, last 2,000 test
# (docs/data_preparation.md), NVIDIA irregular masks.
_base_ = './nvidia_masks_256x256.py'
data_root = 'data/celeba_hq'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(img_source=data_root + '/flists/test.flist'))
test_dataloader = val_dataloader
