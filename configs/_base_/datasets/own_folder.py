# Your own pictures, no download (docs/data_preparation.md, "Your own pictures"):
# no flists and no NVIDIA masks.
#   data/own/train/   the training pictures
#   data/own/val/     a few held-out pictures (validation and test)
# Any size and any of .jpg .jpeg .png .bmp .webp, searched recursively. Training
# pictures are centre-cropped to a square and resized to img_size; validation and
# test pictures keep their native size (the generator pads to its stride and crops
# back), so saved results have the size of the pictures. Training masks are free-form
# strokes and boxes drawn anew on every fetch; validation/test run every val picture
# once per hole-ratio bucket with free-form masks fixed by a seed (the same masks on
# every run), so the metrics are reported per bucket like the paper tables.
# Another folder or size: copy this file next to it (it inherits
# ./image_mask_loaders.py), change data_root / img_size in the copy and use the copy
# as your _base_ (they are config variables, used while this file is read, so
# neither --cfg-options nor a child config can change them).
_base_ = './image_mask_loaders.py'
data_root = 'data/own'
img_size = 256
# stroke and box sizes in pixels, scaled from the 256x256 defaults of FreeFormMask
mask_scale = img_size / 256
free_form = dict(
    type='FreeFormMask',
    max_strokes=6,
    max_vertices=12,
    max_length=60 * mask_scale,
    brush_width=(max(1, round(10 * mask_scale)), max(2, round(24 * mask_scale))),
    num_boxes=(0, 2),
    box_size=(0.1, 0.3),
)
val_seed = 2024

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='CenterCropResize', size=img_size),
    free_form,
    dict(type='PackInpaintInputs'),
]

train_dataloader = dict(
    dataset=dict(data_root=data_root, img_source='train', pipeline=train_pipeline),
)
val_dataloader = dict(
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type=_base_.dataset_type,
                data_root=data_root,
                img_source='val',
                test_mode=True,
                pipeline=[
                    dict(type='LoadImage'),  # native size: no CenterCropResize
                    dict(free_form, hole_ratio=bucket, seed=val_seed),
                    dict(type='PackInpaintInputs'),
                ],
            )
            for bucket in ('0.01-20%', '20-40%', '40-60%')
        ],
    ),
)
test_dataloader = val_dataloader
