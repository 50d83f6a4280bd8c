# Thesis Table 4.9 "Sample B": loss weights [L1, style, perceptual, adversarial] =
# [1, 60, 1, 2] (§4.3.4 "Parameter Tuning", order of Eq. 4.13).
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    losses=dict(
        l1=dict(loss_weight=1.0),
        style=dict(loss_weight=60.0),
        perceptual=dict(loss_weight=1.0),
    ),
    gan_loss=dict(loss_weight=2.0),
)
