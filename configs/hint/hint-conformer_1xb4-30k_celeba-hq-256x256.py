# Thesis Table 4.5 "Conformer": FFN -> SCAL -> conv module -> FFN [Gulati et al. 2020]
# (half-step FFN residuals, final norm) instead of the sandwich. The FFNs are the thin
# sandwich's (expansion 1.33): the table compares structures at about equal size.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(
    generator=dict(block=dict(type='ConformerBlock', ffn=dict(expansion=1.33)))
)
