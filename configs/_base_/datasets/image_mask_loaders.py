# Loader settings shared by the ImageMaskDataset configs (nvidia_masks_256x256.py,
# own_folder.py, demo.py), which inherit this file and add paths and pipelines:
# training draws shuffled batches of 4 without end; validation and test run each
# sample once, in order, one at a time. Samples are collated as lists
# (pseudo_collate); the data preprocessor stacks them.
# paired_image_loaders.py reuses them for the PairedImageDataset (deblurring) configs.
dataset_type = 'ImageMaskDataset'

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type=dataset_type),
)
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type=dataset_type, test_mode=True),
)
test_dataloader = val_dataloader
