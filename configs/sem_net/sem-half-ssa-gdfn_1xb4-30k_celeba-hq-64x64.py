# Thesis Table 5.3, "SSA" at 64x64: global spatial self-attention (ViT-style) instead of the
# Snake Mamba Block, with the vanilla FFN (GDFN), on 64x64 CelebA-HQ.
_base_ = './sem-half-gdfn_1xb4-30k_celeba-hq-64x64.py'
model = dict(
    generator=dict(
        block=dict(attn=dict(_delete_=True, type='SpatialSelfAttention', bias=False))
    )
)
