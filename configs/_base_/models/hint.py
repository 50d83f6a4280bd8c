# HINT (Chen et al., IEEE TMM 2024): official generator/discriminator at paper size.
# Generator = InpaintUNet with SandwichBlocks (GDFN -> SCAL -> GDFN) and
# mask-aware down-sampling (MPD); 72,265,248 parameters. This file is the single
# definition of the architecture: inpaintzoo/models/converters/hint.py derives its
# configs (official constructor kwargs -> config) from it.
_base_ = './gan_inpaintor.py'
model = dict(
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
        with_cp=False,  # activation checkpointing: True or 4 bools (levels 1-4)
    ),
)
