# CelebA 256x256 (HINT, NCLG-MT): official partition (list_eval_partition.txt), flists
# written as in docs/data_preparation.md. Aligned 178x218 images are centre-cropped to
# 178x178 and resized to 256 (official INPUT_SIZE handling); NVIDIA irregular masks.
_base_ = './nvidia_masks_256x256.py'
data_root = 'data/celeba'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(img_source=data_root + '/flists/test.flist'))
test_dataloader = val_dataloader
