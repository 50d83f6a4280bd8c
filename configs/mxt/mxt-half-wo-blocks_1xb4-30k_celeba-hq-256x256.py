# Thesis Table 5.1 (a): the bare U-Net baseline, none of MB / SRSA / GDFN / CBFN. Every
# block of the halved MxT is an IdentityBlock, so only the skeleton is left (gated 3x3
# embedding, pixel-unshuffle down, pixel-shuffle up, skip reductions, output conv).
_base_ = './mxt-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(_delete_=True, type='IdentityBlock')))
