# Ablation: spatial self-attention (MxT's SRSA: every pixel attends to an 8x8 pooled
# key/value grid) instead of SCAL, inside the same GDFN -> attention -> GDFN sandwich.
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(attn=dict(type='SRSA'))))
