# Ablation: plain 3x3 convolution embedding (ConvEmbedding, 4 -> 48) instead of the
# gated embedding (conv 4 -> 96, GELU(a) * b).
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(generator=dict(embed=dict(type='ConvEmbedding')))
