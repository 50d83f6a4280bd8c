# SEM-Net for motion deblurring (thesis §5.4.6; reference-models.md §4.7): the residual
# restorer I_out = I_in + SEMNet(I_in), trained with L1 + 0.1 x L1 of the 2-D FFTs
# (SFNet's frequency loss). The official repository has no deblurring code, so the
# unstated choices below are ours (docs/deblurring.md, "Decisions"):
#   * 3-channel input, no mask: concat_mask=False (the Restorer passes an all-zero mask,
#     nothing is a hole, so fill_value never applies);
#   * linear output (output_act='none'): (tanh + 1) / 2 cannot express a residual;
#   * FFT: torch.fft.fft2 over (H, W), unnormalised, real/imag stacked, mean L1.
# The generator is the inpainting SEM-Net of ./sem_net.py with only those two keys
# changed (tests/test_restoration/test_deblur_configs.py checks it).
model = dict(
    type='Restorer',
    data_preprocessor=dict(type='PairedDataPreprocessor'),
    residual=True,
    generator_takes_mask=True,
    generator=dict(
        type='InpaintUNet',
        in_channels=3,
        out_channels=3,
        dim=48,
        num_blocks=[4, 6, 6, 8],
        num_heads=[1, 2, 4, 8],
        embed=dict(type='ConvEmbedding', bias=False),
        block=dict(
            type='SEMBlock',
            attn=dict(
                type='MambaMixer',
                scanner=dict(type='BiSnakeScan'),
                pos_embed=True,
                mamba=dict(type='MambaBlock', d_state=16, d_conv=4, expand=2),
            ),
            ffn=dict(type='SEFN', expansion=2.0, bias=False),
            norm=dict(type='ChannelLayerNorm', bias=True),
        ),
        down=dict(type='PixelUnshuffleDownsample'),
        up=dict(type='PixelShuffleUpsample'),
        concat_mask=False,  # deblurring: no mask channel
        fill_value=1.0,
        bias=False,
        stride=16,
        pad_mode='reflect',
        with_cp=False,  # activation checkpointing: True or 4 bools (levels 1-4)
        output_act='none',  # linear output for the residual
    ),
    losses=dict(
        l1=dict(type='L1Loss', loss_weight=1.0, divide_by_hole_ratio=False),
        fft=dict(type='FFTLoss', loss_weight=0.1, norm='backward'),
    ),
)
