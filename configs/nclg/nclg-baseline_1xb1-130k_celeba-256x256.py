# Thesis Table 3.4 "Baseline": no parameter sharing between the tasks, i.e. the
# encoder followed by the image generator only (no landmark head, no landmark-map
# fusion, no landmark loss) and vanilla instead of gated convolutions.
_base_ = './nclg_1xb1-130k_celeba-256x256.py'
model = dict(generator=dict(landmark=None, gated=False), landmark_loss=None)
# no landmark prediction, so no landmark NME
val_evaluator = [dict(type='InpaintingMetric')]
test_evaluator = val_evaluator
