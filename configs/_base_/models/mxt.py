# MxT (Chen et al., BMVC 2024): official generator/discriminator at paper size.
# Generator = InpaintUNet with HybridBlocks (MambaMixer(raster scan + sin/cos PE + LN
# + Mamba) || SRSA(8x8 pooled K/V), 1x1 fuse, then CBFN), plain pixel-unshuffle down
# and pixel-shuffle up. Only modules the official forward runs are built:
# 37,610,544 parameters (the official class declares 155,257,780; see
# configs/mxt/README.md). Any input size works (padded to a multiple of 8).
# This file is the single definition of the architecture: the official-checkpoint
# converter (inpaintzoo/models/converters/mxt.py) derives its configs from it.
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
            type='HybridBlock',
            mamba=dict(
                type='MambaMixer',
                scanner=dict(type='RasterScan'),
                pos_embed=dict(type='SinusoidalPositionalEmbedding'),
                mamba=dict(type='MambaBlock', d_state=16, d_conv=4, expand=2),
            ),
            attn=dict(type='SRSA', pool_size=8, bias=False),
            ffn=dict(type='CBFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
            bias=False,
        ),
        down=dict(type='PixelUnshuffleDownsample'),
        up=dict(type='PixelShuffleUpsample'),
        concat_mask=True,
        fill_value=1.0,
        bias=False,
        stride=8,
        pad_mode='reflect',
        with_cp=False,  # activation checkpointing: True or 4 bools (levels 1-4)
    ),
    # the official MxT does NOT divide its L1 loss by the hole ratio (§3.8)
    losses=dict(l1=dict(divide_by_hole_ratio=False)),
    # under --amp, as the official MxT loop: G forward in float32 outside autocast,
    # D and the L1 / perceptual / adversarial losses in autocast (style: float32),
    # one GradScaler shared by G and D
    train_cfg=dict(generator_autocast=False),
)
