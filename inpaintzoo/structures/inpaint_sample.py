"""The data sample that travels from the pipeline through the model to the metrics."""

from mmengine.structures import BaseDataElement


class InpaintSample(BaseDataElement):
    """One inpainting sample. Field names are final: nothing renames them.

    Data fields (tensors, set by the stage named in brackets):
        gt_img (Tensor): (3, H, W) float32 in [0, 1], RGB [model, predict mode].
        mask (Tensor): (1, H, W) float32, 1 = hole, 0 = known [model, predict mode].
        pred_img (Tensor): (3, H, W) float32 in [0, 1], RGB: the composite
            ``out * mask + gt * (1 - mask)``, unquantised (metrics quantise it
            following the official protocol) [model, predict mode].
        raw_img (Tensor): (3, H, W) float32 in [0, 1]: the raw generator output
            [model, predict mode].
        landmarks (Tensor): (K, 2) float32 pixel (x, y) [pipeline, NCLG-MT only].
        pred_landmarks (Tensor): (K, 2) float32 predicted pixel (x, y) of the
            sample's image [model, predict mode, ``NCLGInpaintor`` only].

    Meta fields (python types, set by the dataset / pipeline):
        img_path, mask_path, mask_bucket, ori_shape, img_shape, sample_idx.
    """
