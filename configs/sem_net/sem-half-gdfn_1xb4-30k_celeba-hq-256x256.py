# Thesis Table 5.2 (f): MB + FN + SBDM + PE, i.e. the Snake Mamba Block with GDFN (factor 2)
# instead of SEFN. Also the "SMB" row at 256x256 of Table 5.3 (SMB with the vanilla FFN
# of Restormer; the thesis prints the same numbers for both rows).
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False))
    )
)
