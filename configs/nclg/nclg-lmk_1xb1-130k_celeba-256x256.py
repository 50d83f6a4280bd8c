# Thesis Table 3.4 "Base+Lmk": the baseline plus the landmark predictor and the
# landmark-map fusion (parameter sharing), still with vanilla convolutions. The
# full model ("Ours", + gated convolution) is nclg_1xb1-130k_celeba-256x256.py.
_base_ = './nclg_1xb1-130k_celeba-256x256.py'
model = dict(generator=dict(gated=False))
