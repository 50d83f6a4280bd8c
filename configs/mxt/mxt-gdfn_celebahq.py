# Ablation (e) of thesis Table 5.1: full hybrid (Mamba || SRSA) with GDFN instead of
# CBFN (the only swap: ffn type), everything else as mxt_celebahq.py.
_base_ = './mxt_celebahq.py'
model = dict(
    generator=dict(block=dict(ffn=dict(type='GDFN', expansion=2.0, bias=False)))
)
