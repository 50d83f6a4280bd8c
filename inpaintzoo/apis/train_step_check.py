"""One training iteration of inpaintzoo against the official one (float64, CPU).

A train-step fixture folder (``shared/reference/<arch>_train_step``) holds what
the official code did in ONE iteration from known weights on a known batch:

* ``batch.pt``: ``img255`` (N, 3, H, W) float64 whole numbers in [0, 255] and
  ``mask`` (N, 1, H, W) float64, 1 = hole;
* ``official_step.pt`` (official key names): ``g0``/``d0`` the weights before the
  step, ``g1`` (and for HINT ``d1``, spectral-norm ``u``/``v`` included) after it,
  ``g_grad`` the generator gradients, ``output`` the generator output, ``losses``
  (``adv_g``, ``l1``, ``perceptual``, ``style``, ``g``, ``d``, all weighted) and the
  Adam ``lr``/``betas``/``eps`` of both optimisers;
* ``official_config.json``: the official config and ``generator_kwargs``.

:func:`check_train_step` builds the model of the arch's training config at the
fixture's width (generator from the converters' official-kwargs builder),
loads ``g0``/``d0`` through the converters, puts the VGG-19 the fixture was made
with (:func:`seeded_vgg19_features`) into the perceptual and style losses, runs
one ``model.train_step`` with the config's optimisers in float64 and compares
everything with the official step.
"""

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torchvision
from mmengine.config import Config
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from torch import Tensor, nn

from inpaintzoo.models.converters import (
    convert_official_state_dict,
    official_kwargs_to_config,
)
from inpaintzoo.models.converters.equivalence import Check
from inpaintzoo.models.losses import LazyFrozen, VGGFeatureExtractor
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.config_paths import package_config, resolve_config
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

#: training config (under ``configs/``) whose model, losses and optimisers the
#: check uses, per official architecture
ARCH_CONFIGS = {
    'hint': 'hint/hint_1xb4-300k_celeba-hq-256x256.py',
    'mxt': 'mxt/mxt_celebahq.py',
    'sem_net': 'sem_net/sem_celebahq.py',
}

#: the fixtures' VGG-19: ``torch.manual_seed(123); torchvision vgg19(weights=None)``
VGG19_SEED = 123
#: sha256 over the bytes of its ``features`` tensors in sorted key order (float32)
VGG19_SHA256 = 'b0b8caa54fa5a925018b6d6593984233f5b0135a5ae8e2d15c83b3840d3c33d3'

#: official loss name -> our log key
LOSS_KEYS = {
    'adv_g': 'loss_adv_g',
    'l1': 'loss_l1',
    'perceptual': 'loss_perceptual',
    'style': 'loss_style',
    'g': 'loss_g',
    'd': 'loss_d',
}


def tensors_sha256(state: Mapping[str, Tensor]) -> str:
    """sha256 over the raw bytes of the tensors of ``state`` in sorted key order."""
    digest = hashlib.sha256()
    for key in sorted(state):
        digest.update(state[key].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


@lru_cache(maxsize=2)
def _vgg19_features(seed: int) -> dict[str, Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        vgg = torchvision.models.vgg19(weights=None)
    return {k: v.detach().clone() for k, v in vgg.features.state_dict().items()}


def seeded_vgg19_features(
    seed: int = VGG19_SEED, sha256: str | None = VGG19_SHA256
) -> dict[str, Tensor]:
    """Regenerate the fixtures' VGG-19 ``features`` weights (no download).

    ``torch.manual_seed(seed)`` then ``torchvision.models.vgg19(weights=None)``,
    inside :func:`torch.random.fork_rng` so the caller's RNG state is untouched.
    The result is cached per seed.

    Args:
        seed (int): the seed. Defaults to 123 (the fixtures').
        sha256 (str | None): expected :func:`tensors_sha256`; ``None`` skips the
            check. Defaults to the fixtures' hash.

    Returns:
        dict[str, Tensor]: float32 state dict of ``vgg19().features`` (keys
        ``'0.weight'`` ... ``'34.bias'``).

    Raises:
        CheckpointMismatchError: the regenerated weights have another hash (a
            torch/torchvision whose initialisation differs from 2.14.1 / 0.29.1).
    """
    state = _vgg19_features(seed)
    if sha256 is not None and tensors_sha256(state) != sha256:
        raise CheckpointMismatchError(
            f'torch.manual_seed({seed}); torchvision.models.vgg19(weights=None) gave '
            f'VGG-19 features with sha256 {tensors_sha256(state)}, not the '
            f"fixtures' {sha256}; with torch {torch.__version__} / torchvision "
            f'{torchvision.__version__} the random initialisation differs from the '
            'one the fixtures were made with (torch 2.14.1, torchvision 0.29.1). '
            'Install those versions to run the train-step check.'
        )
    return state


def use_feature_weights(model: nn.Module, features: Mapping[str, Tensor]) -> int:
    """Run every perceptual/style loss of ``model`` on a VGG-19 with ``features``.

    The losses keep their frozen network in a plain ``feature_net`` attribute (a
    :class:`LazyFrozen`); it is replaced by one network built with
    ``weights=None`` and loaded with ``features`` (strict), shared by all losses.

    Args:
        model (nn.Module): an inpaintor with a ``losses`` ModuleDict.
        features (Mapping[str, Tensor]): state dict of ``vgg19().features``.

    Returns:
        int: how many losses now use it.
    """
    net = VGGFeatureExtractor(arch='vgg19', layer_indices=None, weights=None)
    net.features.load_state_dict(dict(features), strict=True)
    frozen = LazyFrozen(lambda: net)
    count = 0
    for loss in getattr(model, 'losses', {}).values():
        if isinstance(getattr(loss, 'feature_net', None), LazyFrozen):
            loss.feature_net = frozen
            count += 1
    return count


@dataclass
class TrainStepFixture:
    """The files of one train-step fixture folder, loaded (CPU tensors)."""

    root: Path
    config: dict
    batch: dict
    step: dict

    @classmethod
    def load(cls, root: str | Path) -> 'TrainStepFixture':
        """Read ``official_config.json``, ``batch.pt`` and ``official_step.pt``.

        Raises:
            FileNotFoundError: a file is missing (names the folder).
        """
        root = Path(root)
        names = ('official_config.json', 'batch.pt', 'official_step.pt')
        missing = [n for n in names if not (root / n).is_file()]
        if missing:
            raise FileNotFoundError(
                f'{root} is not a train-step fixture folder: {missing} missing '
                '(expected e.g. shared/reference/hint_train_step)'
            )

        def load(name: str) -> dict:
            return torch.load(root / name, map_location='cpu', weights_only=True)

        config = json.loads((root / names[0]).read_text())
        return cls(root, config, load(names[1]), load(names[2]))


def build_train_step_model(
    arch: str,
    fixture: TrainStepFixture,
    config: str | Path | None = None,
    device: str = 'cpu',
) -> tuple[nn.Module, OptimWrapperDict]:
    """Model and optimisers of ``config`` at the fixture's width, weights ``g0``/``d0``.

    The model config's generator is replaced by the official-kwargs config of the
    fixture's ``generator_kwargs``; the data preprocessor emits float64; the
    model is cast to float64 before the official weights are loaded (loading
    into float32 parameters would round them).

    Args:
        arch (str): ``'hint'``, ``'mxt'`` or ``'sem_net'``.
        fixture (TrainStepFixture): the loaded fixture.
        config (str | Path, optional): training config; defaults to
            :data:`ARCH_CONFIGS` ``[arch]``.
        device (str): device. Defaults to ``'cpu'`` (the fixtures' device).

    Returns:
        tuple: the float64 inpaintor in train mode and its optimiser wrappers.
    """
    if config is None and arch not in ARCH_CONFIGS:
        raise ConfigError(
            f'no training config known for arch {arch!r}; known: '
            f'{sorted(ARCH_CONFIGS)} (or pass config=...)'
        )
    init_default_scope('inpaintzoo')
    if config is None:  # our own table: never a file of the working directory
        path = package_config(ARCH_CONFIGS[arch])
    else:
        path = resolve_config(config)
    cfg = Config.fromfile(str(path))
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg['generator'] = official_kwargs_to_config(
        arch, fixture.config['generator_kwargs']
    )
    preprocessor = dict(model_cfg.get('data_preprocessor') or {})
    preprocessor.setdefault('type', 'InpaintDataPreprocessor')
    model_cfg['data_preprocessor'] = dict(preprocessor, dtype='float64')
    model = MODELS.build(model_cfg).to(device=device, dtype=torch.float64)
    for name, key, conv_arch in (
        ('generator', 'g0', arch),
        ('discriminator', 'd0', 'discriminator'),
    ):
        net = getattr(model, name)
        state = convert_official_state_dict(conv_arch, fixture.step[key], net)
        net.load_state_dict(state, strict=True)
    use_feature_weights(model, seeded_vgg19_features())
    model.train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def run_train_step(
    model: nn.Module, optim_wrapper: OptimWrapperDict, batch: dict
) -> tuple[dict, Tensor]:
    """One ``model.train_step`` on the fixture batch.

    Args:
        model (nn.Module): from :func:`build_train_step_model`.
        optim_wrapper (OptimWrapperDict): its optimisers.
        batch (dict): ``img255`` (N, 3, H, W) and ``mask`` (N, 1, H, W).

    Returns:
        tuple[dict, Tensor]: the log dict of ``train_step`` and the generator
        output of the step (N, 3, H, W), captured with a forward hook.
    """
    outputs: list[Tensor] = []
    handle = model.generator.register_forward_hook(
        lambda _m, _args, out: outputs.append(out.detach().clone())
    )
    try:
        data = dict(inputs=dict(img=batch['img255'], mask=batch['mask']))
        logs = model.train_step(data, optim_wrapper)
    finally:
        handle.remove()
    if len(outputs) != 1:
        raise RuntimeError(f'the generator ran {len(outputs)} times in one step')
    return logs, outputs[0]


def _max_diff(ours: Tensor, ref: Tensor) -> float:
    if ours.shape != ref.shape:
        return float('inf')
    return (ours.detach().cpu().double() - ref.double()).abs().max().item()


def compare_tensors(
    label: str, ours: Mapping[str, Tensor | None], ref: Mapping, atol: float
) -> Check:
    """One check over two same-keyed tensor dicts; names the worst key.

    A key on one side only counts as an infinite difference, unless the tensor
    present is all zero (e.g. a gradient the other side never computed).
    """
    worst, worst_key = 0.0, ''
    for key in sorted(set(ours) | set(ref)):
        a, b = ours.get(key), ref.get(key)
        if a is not None and b is not None:
            diff = _max_diff(a, b)
        else:  # on one side only: fine if absent or all zero there
            present = a if a is not None else b
            diff = 0.0 if present is None or not present.any() else float('inf')
        if not diff <= worst:  # NaN and inf win
            worst, worst_key = diff, key
    name = f'{label} ({len(ref)} tensors' + (
        f', worst {worst_key})' if worst_key else ')'
    )
    return Check(name, worst, atol)


def _optimizer_check(name: str, optimizer, lr, betas, eps) -> Check:
    group = optimizer.param_groups[0]
    ours = torch.tensor(
        [group['lr'], *group['betas'], group['eps']], dtype=torch.float64
    )
    ref = torch.tensor([float(lr), *map(float, betas), float(eps)], dtype=torch.float64)
    return Check(f'Adam {name} lr, betas, eps', _max_diff(ours, ref), 0.0)


def compare_train_step(
    arch: str,
    model: nn.Module,
    optim_wrapper: OptimWrapperDict,
    logs: dict,
    output: Tensor,
    step: dict,
    atol: float = 1e-10,
) -> list[Check]:
    """Compare a finished step with the official ``step`` (``official_step.pt``).

    Checks: Adam hyper-parameters of both optimisers (exact), the generator
    output, every loss, every generator parameter/buffer after the step, the
    generator gradients (a parameter the official step gave no gradient must have
    none or a zero one) and, when the fixture has ``d1``, every discriminator
    parameter and buffer after the step (spectral-norm ``u``/``v`` included).

    Returns:
        list[Check]: one entry per comparison.
    """
    checks = []
    for short, name in (('g', 'generator'), ('d', 'discriminator')):
        checks.append(
            _optimizer_check(
                name,
                optim_wrapper[name].optimizer,
                step['lr'][short],
                step['betas'][short],
                step['eps'][short],
            )
        )
    checks.append(Check('generator output', _max_diff(output, step['output']), atol))
    for official, ours in LOSS_KEYS.items():
        value = logs.get(ours)
        ref = float(step['losses'][official])
        diff = (
            float('inf')
            if value is None
            else abs(float(torch.as_tensor(value).detach().double()) - ref)
        )
        checks.append(Check(f'loss {official} ({ours})', diff, atol))
    gen = model.generator
    g1 = convert_official_state_dict(arch, step['g1'], gen)
    checks.append(
        compare_tensors('generator after the step', gen.state_dict(), g1, atol)
    )
    grads = convert_official_state_dict(arch, step['g_grad'])
    ours = {n: p.grad for n, p in gen.named_parameters() if p.grad is not None}
    checks.append(compare_tensors('generator gradients', ours, grads, atol))
    if 'd1' in step:
        disc = model.discriminator
        d1 = convert_official_state_dict('discriminator', step['d1'], disc)
        checks.append(
            compare_tensors(
                'discriminator after the step (with spectral-norm u, v)',
                disc.state_dict(),
                d1,
                atol,
            )
        )
    return checks


def check_train_step(
    arch: str,
    fixture_dir: str | Path,
    config: str | Path | None = None,
    device: str = 'cpu',
    atol: float = 1e-10,
) -> list[Check]:
    """Run one training iteration from the official weights and compare it.

    Args:
        arch (str): ``'hint'``, ``'mxt'`` or ``'sem_net'``.
        fixture_dir (str | Path): train-step fixture folder, e.g.
            ``shared/reference/hint_train_step``.
        config (str | Path, optional): training config (path or name under
            ``configs/``); defaults to :data:`ARCH_CONFIGS` ``[arch]``.
        device (str): device. Defaults to ``'cpu'``; the fixtures are CPU runs.
        atol (float): tolerance of every float64 comparison. Defaults to 1e-10.

    Returns:
        list[Check]: every comparison made (see :func:`compare_train_step`).

    Raises:
        FileNotFoundError: a fixture file is missing.
        CheckpointMismatchError: the official weights do not fit the model, or
            the VGG-19 cannot be regenerated exactly.
        ConfigError: unknown arch.
    """
    fixture = TrainStepFixture.load(fixture_dir)
    model, optim_wrapper = build_train_step_model(arch, fixture, config, device)
    logs, output = run_train_step(model, optim_wrapper, fixture.batch)
    return compare_train_step(
        arch, model, optim_wrapper, logs, output, fixture.step, atol
    )
