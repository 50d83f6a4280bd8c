# Thesis Table 4.5 "Thin-Sandwich": the sandwich with both FFNs halved (GDFN expansion
# 2.66 -> 1.33), so that it has the parameters of "Attention-FFN" (hint-wo-sandwich).
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(ffn=dict(expansion=1.33))))
