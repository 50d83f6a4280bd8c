# Thesis Table 4.4 E "Full†": full HINT with SCAL's spatial branch replaced by the gated
# mechanism of T-former [6] (Deng et al. 2022): GELU(conv1x1(x)) multiplies the channel
# attention instead of the pooled conv-LN-ReLU gate.
_base_ = './hint_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(attn=dict(spatial=dict(type='ConvGELUGate')))))
