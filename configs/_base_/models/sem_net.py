# SEM-Net (Chen et al., WACV 2025): official generator/discriminator at paper size.
# Generator = InpaintUNet with SEM blocks: Snake Mamba Block (row + column snake, one
# LayerNorm + Mamba each, shared sinusoidal PE, un-snaked and summed) and the
# spatially-enhanced FFN (gate fused with a pooled-conv map of the block input).
# Plain conv3x3 embedding, pixel-unshuffle down, pixel-shuffle up, 1x1 reductions
# after the level-3 and level-2 skips only (decoder level 1 runs at 2 * dim).
# 81,438,048 parameters (= the official code's used ones; its 56.7 M dead ones are
# dropped by the `sem_net` key converter). This file is the single definition of the
# architecture: inpaintzoo/models/converters/sem_net.py derives its configs from it.
_base_ = './gan_inpaintor.py'
model = dict(
    generator=dict(
        type='InpaintUNet',
        in_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[4, 6, 6, 8],
        num_heads=[1, 2, 4, 8],  # accepted, unused by the Snake Mamba Block
        embed=dict(type='ConvEmbedding', bias=False),
        block=dict(
            type='SEMBlock',
            attn=dict(
                type='MambaMixer',  # the Snake Mamba Block (SBDM)
                scanner=dict(type='BiSnakeScan'),
                pos_embed=True,
                mamba=dict(type='MambaBlock', d_state=16, d_conv=4, expand=2),
            ),
            ffn=dict(type='SEFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        ),
        down=dict(type='PixelUnshuffleDownsample'),
        up=dict(type='PixelShuffleUpsample'),
        concat_mask=True,
        fill_value=1.0,
        bias=False,
        stride=16,  # the official code needs multiples of 16; other sizes are padded
        pad_mode='reflect',
        with_cp=False,  # activation checkpointing: True or 4 bools (levels 1-4)
    ),
    # under --amp, as the official SEM-Net loop: G forward in float32 outside autocast,
    # D and the L1 / perceptual / adversarial losses in autocast (style: float32),
    # one GradScaler shared by G and D
    train_cfg=dict(generator_autocast=False),
)
