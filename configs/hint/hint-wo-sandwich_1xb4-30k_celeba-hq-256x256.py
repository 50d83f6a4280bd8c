# Thesis Table 4.4 B "w/o Sandwich" = Table 4.5 "SCAL-FFN": the first FFN of the
# sandwich removed, i.e. x += SCAL(norm1(x)); x += GDFN(norm2(x)) (AttnFFNBlock).
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(type='AttnFFNBlock')))
