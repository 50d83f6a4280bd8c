"""NCLG-MT inpaintor: GAN inpainting plus 68-point landmark prediction."""

import torch
from torch import Tensor, nn

from inpaintzoo.models.backbones.input_checks import check_image_tensor, fill_holes
from inpaintzoo.models.inpaintors.gan_inpaintor import GANInpaintor
from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.errors import ConfigError


def split_output(
    out: tuple[Tensor, Tensor | None] | Tensor,
) -> tuple[Tensor, Tensor | None]:
    """``(image, landmarks | None)`` of a generator output.

    Args:
        out (tuple | Tensor): an ``(image, landmarks)`` tuple (``NCLGOutput``:
            image ``(N, 3, H, W)``, landmarks ``(N, 2K)`` or None) or a plain
            image tensor ``(N, 3, H, W)``.

    Returns:
        tuple[Tensor, Tensor | None]: the image ``(N, 3, H, W)`` and the
        landmarks ``(N, 2K)`` or None.
    """
    if isinstance(out, tuple):
        return out[0], out[1]
    return out, None


def landmarks_to_pixels(landmarks: Tensor, height: int, width: int) -> Tensor:
    """Normalised ``(N, 2K)`` (x, y) -> pixel ``(N, K, 2)`` (x * W, y * H).

    The official code multiplies both by INPUT_SIZE (square inputs).
    """
    pts = landmarks.reshape(landmarks.shape[0], -1, 2)
    scale = pts.new_tensor([float(width), float(height)])
    return pts * scale


@MODELS.register_module()
class NCLGInpaintor(GANInpaintor):
    """:class:`GANInpaintor` whose generator also predicts landmarks (NCLG-MT).

    The generator returns ``(image, landmarks)`` (``NCLGOutput``; ``landmarks``
    (N, 2K) normalised (x, y), or None for a generator built without the landmark
    branch). Everything else is the GAN inpaintor: D sees the raw image, the
    pixel losses in ``losses`` read ``(image, gt, mask)`` (NCLG-MT's ``TVLoss``
    composites itself), and the G/D update order is the official joint one
    (NCLG-MT's ``InpaintingModel.process`` is HINT's, reference-models §1.9).

    Landmark loss: ``landmark_loss(pred_px, gt_px)`` logged as ``loss_landmark``,
    with ``pred_px`` the prediction times the input size (official) and ``gt_px``
    = ``inputs['landmarks']`` (N, K, 2) pixel (x, y) of the training image. The
    official loop rounds the GT (+0.5, truncate) and clamps it to ``[0, size-1]``;
    ``train_cfg.round_landmarks`` / ``train_cfg.clamp_landmarks`` (both True by
    default) do the same.

    Predict mode adds ``pred_landmarks`` (K, 2) float32 pixel (x, y) to every
    sample (test data needs no landmark GT).

    Args:
        generator (dict): generator config returning ``(image, landmarks)``.
        discriminator (dict): discriminator config.
        gan_loss (dict): adversarial loss config.
        losses (dict, optional): pixel-space generator losses.
        landmark_loss (dict, optional): ``(pred (N, K, 2), gt (N, K, 2)) -> scalar``
            in pixels, e.g. ``LandmarkLoss``. None: no landmark supervision (the
            image-only ablation baseline).
        data_preprocessor (dict, optional): preprocessor config.
        train_cfg (dict, optional): ``update_order``, ``round_landmarks``,
            ``clamp_landmarks``.
        test_cfg (dict, optional): reserved.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(
        self,
        generator: dict,
        discriminator: dict,
        gan_loss: dict,
        losses: dict | None = None,
        landmark_loss: dict | None = None,
        data_preprocessor: dict | None = None,
        train_cfg: dict | None = None,
        test_cfg: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            gan_loss=gan_loss,
            losses=losses,
            data_preprocessor=data_preprocessor,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
        )
        self.landmark_loss: nn.Module | None = (
            MODELS.build(landmark_loss) if landmark_loss is not None else None
        )
        self.round_landmarks = bool(self.train_cfg.get('round_landmarks', True))
        self.clamp_landmarks = bool(self.train_cfg.get('clamp_landmarks', True))

    # ------------------------------------------------------------- forward

    def generate_multi(self, img: Tensor, mask: Tensor) -> tuple[Tensor, Tensor | None]:
        """Check the inputs, zero the holes and run the generator.

        Args:
            img (Tensor): (N, 3, H, W) float in [0, 1] (hole pixels may hold
                anything).
            mask (Tensor): (N, 1, H, W) in {0, 1}, 1 = hole.

        Returns:
            tuple[Tensor, Tensor | None]: raw image (N, 3, H, W) in [0, 1] and
            normalised landmarks (N, 2K) (or None without a landmark branch).
        """
        check_image_tensor(img, mask, source='model input img')
        return split_output(self.run_generator(fill_holes(img, mask, 0.0), mask))

    def generate(self, img: Tensor, mask: Tensor) -> Tensor:
        """Raw image only (N, 3, H, W), for the image-only APIs."""
        return self.generate_multi(img, mask)[0]

    def landmark_targets(self, inputs: dict, height: int, width: int) -> Tensor:
        """GT landmarks (N, K, 2) pixel (x, y) with the official preprocessing.

        Raises:
            ConfigError: the batch has no ``landmarks``.
        """
        target = inputs.get('landmarks')
        if target is None:
            raise ConfigError(
                "NCLG-MT training batch has no inputs['landmarks'] (the GT of the "
                'landmark loss): load them in the dataset (set the dataset option '
                '`landmark_source` to the landmark folder, see '
                'configs/_base_/datasets/celeba_landmarks.py) or set '
                'model.landmark_loss=None'
            )
        if not target.is_floating_point():
            target = target.float()
        target = target.reshape(target.shape[0], -1, 2)
        if self.round_landmarks:
            target = torch.floor(target + 0.5)  # official: (v + 0.5) -> int16
        if self.clamp_landmarks:
            hi = target.new_tensor([float(width - 1), float(height - 1)])
            target = torch.minimum(target.clamp(min=0), hi)
        return target

    def forward_train(self, inputs: dict) -> tuple[Tensor, dict]:
        """Raw image and weighted G losses (pixel losses + ``loss_landmark``).

        Args:
            inputs (dict): ``img`` (N, 3, H, W) ground truth, ``mask``
                (N, 1, H, W), ``landmarks`` (N, K, 2) pixel GT (needed when
                ``landmark_loss`` is set).
        """
        gt, mask = inputs['img'], inputs['mask']
        image, landmarks = self.generate_multi(gt, mask)
        losses = self.generator_losses(image, gt, mask)
        if self.landmark_loss is not None:
            if landmarks is None:
                raise ConfigError(
                    'model.landmark_loss is set but the generator predicts no '
                    'landmarks (generator.landmark=None): set '
                    'model.landmark_loss=None'
                )
            h, w = gt.shape[-2:]
            target = self.landmark_targets(inputs, h, w).to(image.dtype)
            pred = landmarks_to_pixels(landmarks, h, w)
            losses['loss_landmark'] = self.landmark_loss(pred, target)
        return image, losses

    def forward(
        self,
        inputs: dict,
        data_samples: list[InpaintSample] | None = None,
        mode: str = 'tensor',
    ) -> Tensor | list[InpaintSample] | dict:
        """Run in one of MMEngine's modes (see :meth:`BaseInpaintor.forward`).

        ``'predict'`` also sets ``pred_landmarks`` (K, 2) float32 pixel (x, y) on
        each sample; ``'loss'`` includes ``loss_landmark``.
        """
        if mode == 'loss':
            return self.forward_train(inputs)[1]
        if mode != 'predict':
            return super().forward(inputs, data_samples, mode)
        img, mask = inputs['img'], inputs['mask']
        image, landmarks = self.generate_multi(img, mask)
        samples = self.pack_predictions(image, img, mask, data_samples)
        if landmarks is not None:
            h, w = img.shape[-2:]
            pts = landmarks_to_pixels(landmarks, h, w).detach().float().cpu()
            for sample, p in zip(samples, pts, strict=True):
                sample.pred_landmarks = p
        return samples
