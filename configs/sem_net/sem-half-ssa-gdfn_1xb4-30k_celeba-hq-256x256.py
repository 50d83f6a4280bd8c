# Thesis Table 5.3, "SSA" at 256x256: global spatial self-attention (ViT-style, every pixel
# over every pixel) instead of the Snake Mamba Block, with the vanilla FFN (GDFN). The
# thesis reports "out of memory" for this row (L = 65,536 tokens at level 1).
_base_ = './sem-half-gdfn_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(_delete_=True, type='SpatialSelfAttention', bias=False))
    )
)
