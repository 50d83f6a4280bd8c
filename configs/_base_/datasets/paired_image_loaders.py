# Loader settings shared by the PairedImageDataset (deblurring) configs (gopro.py,
# demo_deblur.py), which inherit this file and add paths, layouts and pipelines: the
# loaders of image_mask_loaders.py (shuffled endless batches of 4 for training; val
# and test one pair at a time, in order; pseudo_collate) with the paired dataset type.
_base_ = './image_mask_loaders.py'
dataset_type = 'PairedImageDataset'

train_dataloader = dict(dataset=dict(type=dataset_type))
val_dataloader = dict(dataset=dict(type=dataset_type))
test_dataloader = val_dataloader
