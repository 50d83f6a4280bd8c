# README demo: a small HINT trained for 300 iterations on the embedded 64x64 demo crops
# (CPU, a few minutes). VGG weights cannot be downloaded offline, so the demo trains with
# L1 + adversarial losses only; the full recipe adds perceptual and style losses.
_base_ = [
    '../_base_/models/hint.py',
    '../_base_/datasets/demo.py',
    '../_base_/schedules/demo_300.py',
]
model = dict(
    generator=dict(dim=16, num_blocks=[1, 1, 1, 1], num_heads=[1, 2, 4, 4]),
    losses=dict(
        _delete_=True,
        l1=dict(type='L1Loss', loss_weight=1.0, divide_by_hole_ratio=True),
    ),
)
