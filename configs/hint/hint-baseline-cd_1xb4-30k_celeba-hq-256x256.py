# Thesis Table 4.4 D "U-Net w self-attention" = Table 4.8 "CD": HINT ablated to only
# channel self-attention [Restormer], a single FFN and convolutional down-sampling
# (§4.3.4), i.e. the baseline with every HINT design undone: plain 3x3 conv embedding,
# attention -> one GDFN without the spatial branch, strided 4x4 convolution down.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        embed=dict(type='ConvEmbedding'),
        block=dict(type='AttnFFNBlock', attn=dict(type='ChannelAttention')),
        down=dict(type='StridedConvDownsample'),
    )
)
