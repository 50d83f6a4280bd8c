# Ablation: Restormer-style channel attention instead of SCAL (no spatial activation).
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(
    generator=dict(block=dict(attn=dict(_delete_=True, type='ChannelAttention')))
)
