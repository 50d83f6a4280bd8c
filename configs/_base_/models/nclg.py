# NCLG-MT (Chen et al., BHI 2022 / SIMPAC 2023; thesis ch. 3): official generator at
# paper size, 7 dilated residual blocks; 13,894,479 parameters (the official dead
# `before_share1` is not built). Returns (image, 68-point landmarks). This file is
# the single definition of the architecture: inpaintzoo/models/converters/nclg.py
# derives its configs from it. The inpaintor, discriminator and losses are not
# defined yet (issue #9, later pieces).
model = dict(
    generator=dict(type='NCLGGenerator', residual_blocks=7, input_size=256),
)
