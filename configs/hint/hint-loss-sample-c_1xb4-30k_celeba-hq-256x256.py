# Thesis Table 4.9 "Sample C (ours)": loss weights [L1, style, perceptual, adversarial]
# = [1, 250, 0.1, 0.001] (Eq. 4.13). The released code (our default, the ablation root)
# uses adversarial 0.01; the other three weights are the same.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    losses=dict(
        l1=dict(loss_weight=1.0),
        style=dict(loss_weight=250.0),
        perceptual=dict(loss_weight=0.1),
    ),
    gan_loss=dict(loss_weight=0.001),
)
