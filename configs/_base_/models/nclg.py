# NCLG-MT (Chen et al., BHI 2022 / SIMPAC 2023; thesis ch. 3): official generator at
# paper size, 7 dilated residual blocks; 13,894,479 parameters (the official dead
# `before_share1` is not built). Returns (image, 68-point landmarks). This file is
# the single definition of the architecture: inpaintzoo/models/converters/nclg.py
# and nclg_discriminator.py derive their configs from it.
# Training (reference-models §5.5-5.6, released config.yml): the PatchGAN with
# short+long attention after conv2 (2,767,905 used parameters), lsgan 0.01,
# L1 / mean(M) 1, VGG-19 perceptual 0.1, style 250 (hole region), TV 0.1 on the
# composite, landmark L2 norm (not squared, pixels) 0.00046; joint G/D order.
_base_ = './gan_inpaintor.py'
model = dict(
    type='NCLGInpaintor',
    generator=dict(
        type='NCLGGenerator',
        residual_blocks=7,
        input_size=256,
        with_cp=False,  # activation checkpointing: True or ['encoder', 'middle', 'decoder']
    ),
    discriminator=dict(
        type='PatchDiscriminator',
        in_channels=3,
        use_sigmoid=True,
        attention=dict(type='ShortLongAttention', with_skip=False),
        attention_after=2,
    ),
    losses=dict(
        tv=dict(type='TVLoss', loss_weight=0.1),
    ),
    landmark_loss=dict(type='LandmarkLoss', loss_weight=0.00046, mode='norm'),
    train_cfg=dict(update_order='joint', round_landmarks=True, clamp_landmarks=True),
)
