# HINT (Chen et al., IEEE TMM 2024): official generator/discriminator at paper size.
# Generator = InpaintUNet with SandwichBlocks (GDFN -> SCAL -> GDFN) and
# mask-aware down-sampling (MPD); 72,265,248 parameters.
model = dict(
    type='GANInpaintor',
    data_preprocessor=dict(type='InpaintDataPreprocessor'),
    generator=dict(
        type='InpaintUNet',
        in_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[4, 6, 6, 8],
        num_heads=[1, 2, 4, 8],
        embed=dict(type='GatedEmbedding', bias=False),
        block=dict(
            type='SandwichBlock',
            attn=dict(type='SCAL', bias=False),
            ffn=dict(type='GDFN', expansion=2.66, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        ),
        down=dict(type='MaskAwareDownsample'),
        up=dict(type='PixelShuffleUpsample'),
        concat_mask=True,
        fill_value=1.0,
        bias=False,
        stride=16,
        pad_mode='reflect',
    ),
    discriminator=dict(type='PatchDiscriminator', in_channels=3, use_sigmoid=True),
    losses=dict(
        l1=dict(type='L1Loss', loss_weight=1.0, divide_by_hole_ratio=True),
        perceptual=dict(type='PerceptualLoss', loss_weight=0.1),
        style=dict(type='StyleLoss', loss_weight=250.0),
    ),
    gan_loss=dict(type='GANLoss', gan_type='lsgan', loss_weight=0.01),
    train_cfg=dict(update_order='joint'),
)
