# Ablation baseline: HINT with all four of its changes to the Restormer-style U-Net undone
# (plain conv embedding, pixel-unshuffle down, channel attention without the spatial
# activation, attention -> one GDFN); same data, losses and schedule as the paper config.
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        embed=dict(type='ConvEmbedding'),
        block=dict(type='AttnFFNBlock', attn=dict(type='ChannelAttention')),
        down=dict(type='PixelUnshuffleDownsample'),
    )
)
