# Thesis Table 5.1 (d): MB + SRSA + GDFN: the Hybrid Module with GDFN (factor 2) instead
# of CBFN (the only swap); (e) = mxt-half_1xb4-30k_celeba-hq-256x256.py.
_base_ = './mxt-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(
        block=dict(ffn=dict(_delete_=True, type='GDFN', expansion=2.0, bias=False))
    )
)
