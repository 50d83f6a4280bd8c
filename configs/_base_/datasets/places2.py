# Places2 256x256: Places365-Standard train, official validation set as test,
# NVIDIA irregular masks.
_base_ = './nvidia_masks_256x256.py'
data_root = 'data/places2'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(img_source=data_root + '/flists/val.flist'))
test_dataloader = val_dataloader
