# Thesis Table 5.2 (a): the bare U-Net baseline, none of MB / FN / SEFN / SBDM / PE. Every
# block of the halved SEM-Net is an IdentityBlock, so only the skeleton is left (3x3 conv
# embedding, pixel-unshuffle down, pixel-shuffle up, skip reductions, output conv).
_base_ = './sem-half_1xb4-30k_celeba-hq-256x256.py'
model = dict(generator=dict(block=dict(_delete_=True, type='IdentityBlock')))
