# Ablation: no sandwich. Plain transformer order, SCAL -> one GDFN
# (AttnFFNBlock: x += SCAL(norm1(x)); x += GDFN(norm2(x))) instead of GDFN -> SCAL -> GDFN.
_base_ = './hint_1xb4-300k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(type='AttnFFNBlock')))
