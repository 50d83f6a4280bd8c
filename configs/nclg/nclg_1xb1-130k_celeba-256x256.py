# NCLG-MT, official recipe on CelebA (official partition) with 68-point landmarks
# (reference-models.md §5.6, released config.yml; thesis §3.5): batch 1, 256x256,
# Adam 2.92e-4 betas (0, 0.9) (D 2.92e-5), MultiStepLR x0.78 every 20k iterations,
# 130k iterations; L1 (/ hole ratio) 1 + perceptual 0.1 + style 250 + TV 0.1 +
# lsgan 0.01 + landmark 0.00046. Thesis values (batch 4, style 0.1, squared
# landmark L2) are options, see configs/nclg/README.md. Validation and test report
# the inpainting metrics and the landmark NME.
_base_ = [
    '../_base_/models/nclg.py',
    '../_base_/datasets/celeba_landmarks.py',
    '../_base_/schedules/nclg_adam_130k.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(batch_size=1)
val_evaluator = [dict(type='InpaintingMetric'), dict(type='LandmarkNME')]
test_evaluator = val_evaluator
