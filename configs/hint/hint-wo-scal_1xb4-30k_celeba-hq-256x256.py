# Thesis Table 4.4 C "w/o SCAL": single channel-wise self-attention (Restormer MDTA,
# no spatial branch) instead of SCAL, inside the sandwich.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(attn=dict(type='ChannelAttention'))))
