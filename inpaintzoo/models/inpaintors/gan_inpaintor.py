"""Inpaintor trained adversarially with the official G/D update order."""

from typing import Literal

from mmengine.optim import AmpOptimWrapper, OptimWrapper, OptimWrapperDict
from torch import Tensor, nn
from torch.amp import GradScaler

from inpaintzoo.models.inpaintors.base_inpaintor import BaseInpaintor
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

UpdateOrder = Literal['joint', 'sequential']


@MODELS.register_module()
class GANInpaintor(BaseInpaintor):
    """Generator + discriminator inpaintor (HINT, MxT, SEM-Net, NCLG-MT style).

    Update orders (``train_cfg.update_order``):

    * ``'joint'`` (default, the official code of all four models): zero both
      optimisers, one generator forward, D loss on the real image and the detached
      output, then G's adversarial term through the same, not yet updated D,
      back-propagate both, step D, step G.
      D's step therefore also contains the gradient of G's adversarial term with
      respect to D. The official code calls ``backward`` twice
      (``d_loss`` with ``retain_graph`` then ``g_loss``); we back-propagate
      ``d_loss + g_loss`` once, which accumulates exactly the same gradients
      (``d_loss`` does not reach G because the output is detached) and works
      under DDP.
    * ``'sequential'`` (MMagic / BaseGAN style): update D on the detached output,
      then update G with D frozen.

    Mixed precision (``AmpOptimWrapper`` for both networks, ``tools/train.py
    --amp``): ``'joint'`` scales ``d_loss + g_loss`` with one ``GradScaler`` shared
    by the two wrappers (G's; D's wrapper is pointed at it on the first step),
    then D step, G step and one ``update()`` - the official MxT / SEM-Net GPU
    loop. Each optimiser skips its own step when its gradients hold Inf/NaN
    (torch's rule for several optimisers on one scaler). ``'sequential'`` keeps a
    scaler per wrapper. ``train_cfg.generator_autocast=False`` runs the generator
    forward outside autocast (see :class:`BaseInpaintor`).

    The D loss is ``(L(D(gt), real) + L(D(out.detach()), fake)) / 2`` as in the
    official code; it is logged as ``loss_d_real`` and ``loss_d_fake`` (each half).
    D sees the **raw** generator output, not the composite.

    Order of the discriminator calls (both update orders): ``D(gt)``, then
    ``D(out.detach())``, then ``D(out)`` for G's adversarial term, as in the
    official ``InpaintingModel.process``. The order is part of the result, not a
    style choice: every training-mode call of a spectral-normalised D runs one
    power iteration that updates ``weight_u``/``weight_v`` in place, so each call
    sees a slightly different normalised weight and the next call's input order
    changes both the losses and the gradients (measured on HINT from the official
    weights: adversarial loss 0.0025758 instead of 0.0025410, updated weights off
    by up to 1.7e-4). ``tests/test_models/test_inpaintors/`` pins this order.

    The discriminator's head must fit the GAN objective (:func:`check_gan_head`):
    ``gan_type='hinge'`` needs raw scores (``use_sigmoid=False``; the official
    code drops the sigmoid for hinge), ``nsgan`` probabilities or
    ``from_logits=True``. A mismatch is refused when the model is built.

    Args:
        generator (dict): generator config (see :class:`BaseInpaintor`).
        discriminator (dict): discriminator config, ``(N, 3, H, W) -> score map``;
            a ``use_sigmoid`` attribute says whether the map is a probability.
        gan_loss (dict): adversarial loss config with
            ``forward(pred, target_is_real, is_disc)``; its ``loss_weight`` scales
            G's term only.
        losses (dict, optional): pixel-space generator losses.
        data_preprocessor (dict, optional): preprocessor config.
        train_cfg (dict, optional): ``update_order`` ('joint' | 'sequential') and
            :class:`BaseInpaintor`'s ``generator_autocast``.
        test_cfg (dict, optional): reserved.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(
        self,
        generator: dict,
        discriminator: dict,
        gan_loss: dict,
        losses: dict | None = None,
        data_preprocessor: dict | None = None,
        train_cfg: dict | None = None,
        test_cfg: dict | None = None,
        init_cfg: dict | None = None,
    ) -> None:
        super().__init__(
            generator=generator,
            losses=losses,
            data_preprocessor=data_preprocessor,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
        )
        self.discriminator = MODELS.build(discriminator)
        self.gan_loss = MODELS.build(gan_loss)
        check_gan_head(self.discriminator, self.gan_loss)
        self.update_order: UpdateOrder = self.train_cfg.get('update_order', 'joint')
        if self.update_order not in ('joint', 'sequential'):
            raise ConfigError(
                "model.train_cfg.update_order must be 'joint' or 'sequential', "
                f'got {self.update_order!r}'
            )

    def discriminator_losses(self, out: Tensor, gt: Tensor) -> dict:
        """Unweighted D losses, halved: ``D(gt)`` first, then ``D(out.detach())``.

        Args:
            out (Tensor): (N, 3, H, W) raw generator output (detached here).
            gt (Tensor): (N, 3, H, W) ground truth in [0, 1].

        Returns:
            dict: ``loss_d_real`` and ``loss_d_fake``, scalars.
        """
        real = self.gan_loss(self.discriminator(gt), True, is_disc=True)
        fake = self.gan_loss(self.discriminator(out.detach()), False, is_disc=True)
        return dict(loss_d_real=real * 0.5, loss_d_fake=fake * 0.5)

    def adversarial_loss(self, out: Tensor) -> dict:
        """G's weighted adversarial term ``{'loss_adv_g': scalar}`` on ``D(out)``.

        Call it after :meth:`discriminator_losses` in the same iteration (official
        order of the spectral-norm power iterations).

        Args:
            out (Tensor): (N, 3, H, W) raw generator output (gradients flow).
        """
        return dict(loss_adv_g=self.gan_loss(self.discriminator(out), True))

    def train_step(self, data: dict, optim_wrapper: OptimWrapperDict) -> dict:
        """One G/D iteration in the configured order; returns the log dict."""
        if not isinstance(optim_wrapper, OptimWrapperDict) or not {
            'generator',
            'discriminator',
        } <= set(optim_wrapper.keys()):
            raise ConfigError(
                'GANInpaintor needs optim_wrapper with entries generator and '
                "discriminator (constructor='MultiOptimWrapperConstructor')"
            )
        data = self.data_preprocessor(data, training=True)
        inputs = data['inputs']
        ow_g, ow_d = optim_wrapper['generator'], optim_wrapper['discriminator']
        if self.update_order == 'joint':
            return self._joint_step(inputs, ow_g, ow_d)
        return self._sequential_step(inputs, ow_g, ow_d)

    def forward_train(self, inputs: dict) -> tuple[Tensor, dict]:
        """Raw output and weighted non-adversarial G losses of a training batch.

        The one place a subclass changes what the generator returns or which
        targets its losses read (NCLG-MT's landmarks); the update order stays
        here.

        Args:
            inputs (dict): the preprocessor's ``inputs``: ``img`` (N, 3, H, W)
                ground truth in [0, 1], ``mask`` (N, 1, H, W), 1 = hole, and
                optional extras (``landmarks`` (N, K, 2)).

        Returns:
            tuple[Tensor, dict]: raw output (N, 3, H, W) (what D sees) and
            ``{'loss_<name>': scalar}``.
        """
        gt, mask = inputs['img'], inputs['mask']
        out = self.generate(gt, mask)
        return out, self.generator_losses(out, gt, mask)

    def _joint_step(self, inputs: dict, ow_g, ow_d) -> dict:
        check_no_accumulation(ow_g, ow_d)
        scaler = shared_loss_scaler(ow_g, ow_d)
        ow_g.zero_grad()
        ow_d.zero_grad()
        gt = inputs['img']
        with ow_g.optim_context(self.generator):
            out, g_losses = self.forward_train(inputs)
            g_losses = dict(g_losses)
        with ow_d.optim_context(self.discriminator):
            # official order: D(gt), D(out.detach()), then D(out) (see class doc)
            d_losses = self.discriminator_losses(out, gt)
            g_losses.update(self.adversarial_loss(out))
        loss_g, log_g = self.parse_losses(g_losses)
        loss_d, log_d = self.parse_losses(d_losses)
        ow_g.backward(loss_d + loss_g)  # scaled by the shared scaler under AMP
        if scaler is None:
            ow_d.step()
        else:
            amp_step_without_update(ow_d)
        ow_g.step()  # under AMP: G's step, then the one scaler update
        log_g['loss_g'] = log_g.pop('loss')
        log_d['loss_d'] = log_d.pop('loss')
        return {**log_g, **log_d}

    def _sequential_step(self, inputs: dict, ow_g, ow_d) -> dict:
        gt = inputs['img']
        with ow_g.optim_context(self.generator):
            # G's pixel losses do not depend on D: computing them before D's
            # update gives the same numbers
            out, g_losses = self.forward_train(inputs)
            g_losses = dict(g_losses)
        with ow_d.optim_context(self.discriminator):
            loss_d, log_d = self.parse_losses(self.discriminator_losses(out, gt))
        ow_d.update_params(loss_d)
        self.discriminator.requires_grad_(False)
        try:
            with ow_g.optim_context(self.generator):
                g_losses.update(self.adversarial_loss(out))
                loss_g, log_g = self.parse_losses(g_losses)
            ow_g.update_params(loss_g)
        finally:
            self.discriminator.requires_grad_(True)
        log_g['loss_g'] = log_g.pop('loss')
        log_d['loss_d'] = log_d.pop('loss')
        return {**log_g, **log_d}


def check_gan_head(discriminator: nn.Module, gan_loss: nn.Module) -> None:
    """Refuse a discriminator head that does not fit the GAN objective.

    Reads ``discriminator.use_sigmoid`` and the loss's ``gan_type`` /
    ``from_logits`` (as :class:`PatchDiscriminator` and ``GANLoss`` expose them);
    a module without them is not checked. ``lsgan`` works on either head (the
    official one is the sigmoid's).

    Raises:
        ConfigError: ``hinge`` with a sigmoid head (the D loss ``relu(1 - D)`` on
            probabilities never reaches 0), ``nsgan`` with a sigmoid head and
            ``from_logits=True`` (two sigmoids), or ``nsgan`` with raw scores and
            ``from_logits=False`` (cross-entropy of values outside [0, 1]).
    """
    use_sigmoid = getattr(discriminator, 'use_sigmoid', None)
    gan_type = getattr(gan_loss, 'gan_type', None)
    if use_sigmoid is None or gan_type is None:
        return
    from_logits = bool(getattr(gan_loss, 'from_logits', False))
    if gan_type == 'hinge' and use_sigmoid:
        raise ConfigError(
            "model.gan_loss.gan_type='hinge' needs raw discriminator scores, but "
            'model.discriminator.use_sigmoid=True squashes them into (0, 1); set '
            'model.discriminator.use_sigmoid=False (the official code drops the '
            'sigmoid for hinge)'
        )
    if gan_type == 'nsgan' and use_sigmoid and from_logits:
        raise ConfigError(
            'model.gan_loss.from_logits=True applies a sigmoid to a discriminator '
            'that already ends in one (use_sigmoid=True); set one of them to False'
        )
    if gan_type == 'nsgan' and not use_sigmoid and not from_logits:
        raise ConfigError(
            "model.gan_loss.gan_type='nsgan' needs probabilities, but "
            'model.discriminator.use_sigmoid=False gives raw scores; set '
            'model.discriminator.use_sigmoid=True (official) or '
            'model.gan_loss.from_logits=True'
        )


def check_no_accumulation(*wrappers: OptimWrapper) -> None:
    """Refuse gradient accumulation in the joint order instead of ignoring it.

    The joint step zeroes, back-propagates and steps G and D every iteration (the
    official loop has no accumulation); MMEngine's ``accumulative_counts`` is only
    honoured by ``update_params``, which the joint step cannot use.

    Raises:
        ConfigError: a wrapper has ``accumulative_counts`` > 1.
    """
    for wrapper in wrappers:
        counts = getattr(wrapper, '_accumulative_counts', 1)
        if counts != 1:
            raise ConfigError(
                f"update_order='joint' steps G and D every iteration, so it cannot "
                f'accumulate gradients (optim_wrapper accumulative_counts={counts}); '
                "use model.train_cfg.update_order='sequential', or a larger batch"
            )


def shared_loss_scaler(ow_g: OptimWrapper, ow_d: OptimWrapper) -> GradScaler | None:
    """The one loss scaler of a joint G/D step, or None without AMP.

    Points D's ``AmpOptimWrapper`` at G's scaler (once; checkpoints then save the
    same scaler state under both entries).

    Args:
        ow_g (OptimWrapper): the generator's optim wrapper.
        ow_d (OptimWrapper): the discriminator's optim wrapper.

    Returns:
        GradScaler | None: G's ``loss_scaler`` when both wrappers are
        ``AmpOptimWrapper``, None when neither is.

    Raises:
        ConfigError: only one of the two is an ``AmpOptimWrapper``.
    """
    amp_g, amp_d = (isinstance(w, AmpOptimWrapper) for w in (ow_g, ow_d))
    if amp_g != amp_d:
        raise ConfigError(
            "update_order='joint' back-propagates G's and D's losses together, so "
            'both optim_wrapper entries must be AmpOptimWrapper or neither (got '
            f'generator={type(ow_g).__name__}, discriminator={type(ow_d).__name__})'
        )
    if not amp_g:
        return None
    ow_d.loss_scaler = ow_g.loss_scaler
    return ow_g.loss_scaler


def amp_step_without_update(wrapper: AmpOptimWrapper) -> None:
    """``AmpOptimWrapper.step`` without ``loss_scaler.update()``.

    Unscales and clips (when ``clip_grad`` is set), then steps through the scaler,
    which skips the step if this optimiser's gradients hold Inf/NaN. The shared
    scaler is updated once, by the last wrapper's ``step``.
    """
    if wrapper.clip_grad_kwargs:
        wrapper.loss_scaler.unscale_(wrapper.optimizer)
        wrapper._clip_grad()
    wrapper.loss_scaler.step(wrapper.optimizer)
