"""Numeric equivalence of inpaintzoo models with official fixture outputs.

A fixture folder (layout of ``shared/reference/hint``) holds ``config.json``
(official ``constructor_kwargs``, ``perturbed_constant_tensors``),
``{generator|discriminator}_state_dict.pt`` (official keys) and ``io.pt``
(inputs and official outputs). :func:`check_fixture` builds the equivalent model
from ``config.json``, loads the converted weights strictly and compares outputs.
"""

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from inpaintzoo.models.converters.base import get_converter, official_kwargs_to_config
from inpaintzoo.models.converters.convert import convert_official
from inpaintzoo.registry import MODELS


@dataclass
class Check:
    """One compared tensor: its name, max abs difference and tolerance."""

    name: str
    max_abs_diff: float
    atol: float

    @property
    def passed(self) -> bool:
        """Whether the difference is within tolerance (NaN fails)."""
        return self.max_abs_diff <= self.atol


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.shape != b.shape:
        return float('inf')
    return (a.detach().cpu().double() - b.double()).abs().max().item()


def official_init_state_dict(state_dict: dict, config: dict) -> dict:
    """Reset the perturbed constant tensors of a fixture to their official values."""
    sd = dict(state_dict)
    for key, info in config.get('perturbed_constant_tensors', {}).items():
        for name in [key, *info.get('aliases', [])]:
            if name in sd:
                sd[name] = torch.full_like(sd[name], float(info['official_init_value']))
    return sd


def build_converted(arch: str, config: dict, state_dict: dict) -> nn.Module:
    """Model built from ``constructor_kwargs`` with the converted weights (strict)."""
    model = MODELS.build(official_kwargs_to_config(arch, config['constructor_kwargs']))
    result = convert_official(state_dict, arch, model)
    model.load_state_dict(result.state_dict, strict=True)
    return model


def _run(model: nn.Module, inputs: tuple, dtype: torch.dtype, device: str, **kw):
    model = copy.deepcopy(model).to(device=device, dtype=dtype).eval()
    with torch.no_grad():
        return model(*(t.to(device=device, dtype=dtype) for t in inputs), **kw)


class _Checks(list):
    def add(
        self, name: str, ours: torch.Tensor, ref: torch.Tensor, atol: float
    ) -> None:
        self.append(Check(name, _diff(ours, ref), atol))


def _add_outputs(checks: '_Checks', out, io: dict, suffix: str, label: str, atol):
    """Compare an image output, plus landmarks for multi-task generators.

    ``out`` is a tensor, or ``(image, landmarks)`` (NCLG-MT's ``NCLGOutput``);
    the fixture's keys are ``output<suffix>`` and ``landmark<suffix>``.
    """
    image, landmarks = (out[0], out[1]) if isinstance(out, tuple) else (out, None)
    checks.add(label, image, io[f'output{suffix}'], atol)
    if landmarks is not None and f'landmark{suffix}' in io:
        checks.add(
            label.replace('output', 'landmark'),
            landmarks,
            io[f'landmark{suffix}'],
            atol,
        )


def _generator_checks(arch, config, sd, io, device, atol64, atol32) -> list[Check]:
    model = build_converted(arch, config, sd)
    inputs = (io['image'], io['mask'])
    f64, f32 = torch.float64, torch.float32
    checks = _Checks()
    out = _run(model, inputs, f64, device)
    _add_outputs(checks, out, io, '', 'output (float64)', atol64)
    if 'output_float32' in io:
        out = _run(model, inputs, f32, device)
        _add_outputs(checks, out, io, '_float32', 'output_float32', atol32)
    if 'output_official_init' in io:
        init = build_converted(arch, config, official_init_state_dict(sd, config))
        out = _run(init, inputs, f64, device)
        _add_outputs(checks, out, io, '_official_init', 'output_official_init', atol64)
    return checks


def _discriminator_checks(arch, config, sd, io, device, atol64, atol32) -> list[Check]:
    model = build_converted(arch, config, sd)
    x, f64, f32 = (io['x'],), torch.float64, torch.float32
    checks = _Checks()
    out, feats = _run(model, x, f64, device, return_features=True)
    checks.add('output (float64)', out, io['output'], atol64)
    for i, (ours, ref) in enumerate(zip(feats, io.get('features', []))):
        checks.add(f'features[{i}] (float64)', ours, ref, atol64)
    if 'output_float32' in io:
        checks.add(
            'output_float32', _run(model, x, f32, device), io['output_float32'], atol32
        )
    if 'output_train_mode_first_call' in io:
        net = copy.deepcopy(model).to(device=device, dtype=f64).train()
        with torch.no_grad():
            out = net(x[0].to(device=device, dtype=f64))
        checks.add(
            'output_train_mode_first_call',
            out,
            io['output_train_mode_first_call'],
            atol64,
        )
        ours, conv = net.state_dict(), get_converter(arch)
        for key, ref in io.get('spectral_norm_buffers_after_train_call', {}).items():
            if conv.alias_target(key) is not None or conv.is_dead(key):
                continue  # aliases and dead (never called, dropped) modules
            name = conv.map_key(key)
            diff = _diff(ours[name], ref) if name in ours else float('inf')
            checks.append(Check(f'{key} after train call', diff, atol64))
    if 'output_official_init' in io:
        init = build_converted(arch, config, official_init_state_dict(sd, config))
        out = _run(init, x, f64, device)
        checks.add('output_official_init', out, io['output_official_init'], atol64)
    return checks


def check_fixture(
    arch: str,
    fixture_dir: str | Path,
    device: str = 'cpu',
    atol64: float = 1e-6,
    atol32: float = 1e-4,
) -> list[Check]:
    """Compare an inpaintzoo model with an official fixture.

    Args:
        arch (str): converter name (``'hint'``, ``'discriminator'``, ...).
        fixture_dir (str | Path): fixture folder.
        device (str): device to run on. Defaults to ``'cpu'``.
        atol64 (float): tolerance of float64 comparisons. Defaults to 1e-6.
        atol32 (float): tolerance of float32 comparisons. Defaults to 1e-4.

    Returns:
        list[Check]: every comparison made.

    Raises:
        CheckpointMismatchError: the state dict does not fit the model.
        FileNotFoundError: a fixture file is missing.
    """
    root = Path(fixture_dir)
    conv = get_converter(arch)
    config = json.loads((root / 'config.json').read_text())
    sd = torch.load(
        root / f'{conv.checkpoint_key}_state_dict.pt',
        weights_only=True,
        map_location='cpu',
    )
    io = torch.load(root / 'io.pt', weights_only=True, map_location='cpu')
    run = (
        _discriminator_checks
        if conv.checkpoint_key == 'discriminator'
        else _generator_checks
    )
    return run(arch, config, sd, io, device, atol64, atol32)
