# README demo: a small NCLG-MT trained for 300 iterations on the 64x64 face demo crops
# with landmarks (CPU, a few minutes). VGG weights cannot be downloaded offline, so
# the demo trains with L1 + TV + adversarial + landmark losses; the full recipe adds
# perceptual and style losses. Widths 16/32/64, one residual block, landmark head
# expand 128 with nodes 16/16/32 (their sum is the 4x16 context width).
_base_ = [
    '../_base_/models/nclg.py',
    '../_base_/datasets/demo_face.py',
    '../_base_/schedules/demo_300.py',
]
model = dict(
    generator=dict(
        residual_blocks=1,
        input_size=64,
        base_channels=16,
        landmark=dict(
            type='LandmarkPredictor', expand_channels=128, node_channels=(16, 16, 32)
        ),
    ),
    discriminator=dict(base_channels=16),
    losses=dict(
        _delete_=True,
        l1=dict(type='L1Loss', loss_weight=1.0, divide_by_hole_ratio=True),
        tv=dict(type='TVLoss', loss_weight=0.1),
    ),
    # the demo keeps its 64 px landmarks at the paper weight; its optimiser is the
    # shared demo schedule's (demo_300.py), not NCLG-MT's: Adam lr 1e-3 (3.4x the
    # paper's 2.92e-4; D 1e-4), betas (0.9, 0.999) (paper (0.0, 0.9)), no lr decay
    landmark_loss=dict(loss_weight=0.00046),
)
train_dataloader = dict(batch_size=4)
val_evaluator = [dict(type='InpaintingMetric'), dict(type='LandmarkNME')]
test_evaluator = val_evaluator
