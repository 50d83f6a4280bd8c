# NCLG-MT with the thesis text's settings where they differ from the released code
# (configs/nclg/README.md, "Code vs thesis"; reference-models §5.8): style weight 0.1
# (lambda_perc = lambda_sty = lambda_tv = 0.1), squared landmark L2 (Eq. 3.7), plain
# mean L1 (Eq. 3.8, not divided by the batch hole ratio), the log-likelihood GAN
# objective (nsgan), perceptual and style losses on the pooling layers of VGG-16,
# batch size 4 (§3.5.1, Algorithm 1) and Algorithm 1's update order (lines 9-10: D
# step with G frozen, then G step with D frozen). The released checkpoint was trained
# with the code's settings (nclg_1xb1-130k_celeba-256x256.py).
_base_ = './nclg_1xb1-130k_celeba-256x256.py'

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
            loss_weight=0.1,
            layers=vgg16_pools,
            feature_net=dict(
                type='VGGFeatureExtractor', arch='vgg16', weights='torchvision'
            ),
        ),
    ),
    gan_loss=dict(gan_type='nsgan'),
    landmark_loss=dict(mode='squared'),
    train_cfg=dict(update_order='sequential'),
)
train_dataloader = dict(batch_size=4)
