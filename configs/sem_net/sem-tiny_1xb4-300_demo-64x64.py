# README demo with SEM-Net (`make demo MODEL=sem_net`): dim 16, one SEM block per level,
# trained on the embedded 64x64 demo crops, L1 + adversarial losses (no VGG
# weights offline).
_base_ = [
    '../_base_/models/sem_net.py',
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
