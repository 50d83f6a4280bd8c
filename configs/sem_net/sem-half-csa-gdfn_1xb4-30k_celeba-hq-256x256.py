# Thesis Table 5.3, "CSA" at 256x256: channel-wise self-attention (Restormer MDTA,
# ChannelAttention) instead of the Snake Mamba Block, both with the vanilla FFN (GDFN).
_base_ = './sem-half-gdfn_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(_delete_=True, type='ChannelAttention', bias=False))
    )
)
