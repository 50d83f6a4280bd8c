# HINT with the thesis text's settings where they differ from the released code
# (configs/hint/README.md, "code vs thesis"): adversarial weight 0.001, perceptual and
# style losses on the pooling layers of VGG-16, and the lr halved at 75% of training.
# The released checkpoints were trained with the code's settings (the default configs).
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'

vgg16_pools = ['pool1', 'pool2', 'pool3', 'pool4', 'pool5']
model = dict(
    losses=dict(
        perceptual=dict(
            layers=vgg16_pools,
            feature_net=dict(
                type='VGGFeatureExtractor', arch='vgg16', weights='torchvision'
            ),
        ),
        style=dict(
            layers=vgg16_pools,
            feature_net=dict(
                type='VGGFeatureExtractor', arch='vgg16', weights='torchvision'
            ),
        ),
    ),
    gan_loss=dict(loss_weight=0.001),
)
param_scheduler = dict(
    _delete_=True,
    generator=[
        dict(type='MultiStepLR', milestones=[225_000], gamma=0.5, by_epoch=False)
    ],
    discriminator=[
        dict(type='MultiStepLR', milestones=[225_000], gamma=0.5, by_epoch=False)
    ],
)
