# Thesis Table 5.2 (d): MB + FN + SBDM. Bi-directional snake without the PE layer, and
# GDFN (factor 2) instead of SEFN.
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(
            attn=dict(pos_embed=False),
            ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False),
        )
    )
)
