# What HINT, MxT and SEM-Net share (reference-models §1.7-1.9): the GAN inpaintor with
# the official joint G/D update order, the sigmoid PatchGAN discriminator, and the
# released configs' losses: L1 / mean(M) 1, VGG-19 perceptual 0.1, style 250 (hole
# region), lsgan 0.01. Model files add the generator (and their own deviations).
model = dict(
    type='GANInpaintor',
    data_preprocessor=dict(type='InpaintDataPreprocessor'),
    discriminator=dict(type='PatchDiscriminator', in_channels=3, use_sigmoid=True),
    losses=dict(
        l1=dict(type='L1Loss', loss_weight=1.0, divide_by_hole_ratio=True),
        perceptual=dict(type='PerceptualLoss', loss_weight=0.1),
        style=dict(type='StyleLoss', loss_weight=250.0),
    ),
    gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=0.01),
    train_cfg=dict(update_order='joint'),
)
