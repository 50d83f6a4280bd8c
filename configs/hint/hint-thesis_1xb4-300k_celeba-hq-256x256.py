# HINT with the thesis text's settings where they differ from the released code
# (configs/hint/README.md, "Code vs thesis"; reference-models §2.6): plain L1 (Eq. 4.9,
# not divided by the batch hole ratio), the log-likelihood GAN objective (Eq. 4.12,
# nsgan on the sigmoid PatchGAN) with weight 0.001 (§4.3.4, Sample C), perceptual and
# style losses on the pooling layers of VGG-16 (Eqs. 4.10-4.11), and the lr halved at
# 75% of training. The released checkpoints were trained with the code's settings
# (the default configs).
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'

vgg16_pools = ['pool1', 'pool2', 'pool3', 'pool4', 'pool5']
model = dict(
    losses=dict(
        l1=dict(divide_by_hole_ratio=False),
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
    gan_loss=dict(gan_type='nsgan', loss_weight=0.001),
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
