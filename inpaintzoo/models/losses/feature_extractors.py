"""Frozen pretrained feature nets, built lazily outside nn.Module bookkeeping.

:class:`LazyFrozen` (conventions.md §3.7), the registered :class:`VGGFeatureExtractor`
(reference-models.md §1.8) and :func:`shared_lazy_frozen` (one net per config).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Sequence
from enum import Enum
from urllib.parse import urlparse

import torch
from torch import Tensor, nn

from inpaintzoo.registry import MODELS
from inpaintzoo.utils.dtypes import at_least_float32
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError

# arch -> (torchvision.models.vgg.cfgs key, weights enum name); torchvision is
# imported only when a network is built: importing it loads torch._dynamo
_ARCHS = {'vgg16': ('D', 'VGG16_Weights'), 'vgg19': ('E', 'VGG19_Weights')}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def vgg_layer_names(arch: str) -> dict[str, int]:
    """Map ``reluB_K`` / ``poolB`` names to indices into torchvision's ``features``.

    Args:
        arch (str): ``'vgg16'`` or ``'vgg19'``.

    Returns:
        dict[str, int]: e.g. for VGG-19 ``relu1_1 -> 1``, ``relu3_4 -> 17``,
        ``relu5_2 -> 31``, ``pool1 -> 4``.
    """
    if arch not in _ARCHS:
        raise ConfigError(f'arch must be one of {sorted(_ARCHS)}, got {arch!r}')
    from torchvision.models.vgg import cfgs

    names, idx, block, k = {}, 0, 1, 1
    for item in cfgs[_ARCHS[arch][0]]:
        if item == 'M':
            names[f'pool{block}'] = idx
            idx, block, k = idx + 1, block + 1, 1
        else:  # conv at idx, ReLU at idx + 1
            names[f'relu{block}_{k}'] = idx + 1
            idx, k = idx + 2, k + 1
    return names


def resolve_layers(arch: str, layers: Sequence[int | str]) -> tuple[int, ...]:
    """Turn layer names or indices into ``features`` indices, validated for ``arch``.

    Args:
        arch (str): ``'vgg16'`` or ``'vgg19'``.
        layers (Sequence[int | str]): indices into ``features`` or names such as
            ``'relu2_2'`` / ``'pool3'``.

    Returns:
        tuple[int, ...]: the indices, in the given order.
    """
    names = vgg_layer_names(arch)
    depth = max(names.values()) + 1
    out = []
    for layer in layers:
        if isinstance(layer, str):
            if layer not in names:
                raise ConfigError(
                    f'unknown {arch} layer {layer!r}; known: {list(names)}'
                )
            layer = names[layer]
        if isinstance(layer, bool) or not isinstance(layer, int):
            raise ConfigError(f'layer must be an int or a name, got {layer!r}')
        if not 0 <= layer < depth:
            raise ConfigError(f'{arch} layer index {layer} is outside [0, {depth - 1}]')
        out.append(layer)
    if not out:
        raise ConfigError('layer_indices must not be empty')
    return tuple(out)


@MODELS.register_module()
class VGGFeatureExtractor(nn.Module):
    """Torchvision VGG ``features``, truncated after the deepest configured layer.

    Feature index ``i`` means the output of ``features[i]`` (VGG-19: relu1_1 = 1,
    relu2_1 = 6, relu2_2 = 8, relu3_1 = 11, relu3_4 = 17, relu4_1 = 20, relu4_4 = 26,
    relu5_1 = 29, relu5_2 = 31, pool5 = 36; VGG-16: relu5_3 = 29, pool5 = 30). ReLUs
    are made non-inplace so any index is safe to tap. A forward runs only up to the
    deepest layer it returns, so building deeper costs no compute.
    Weights load in the constructor; wrap the config in :class:`LazyFrozen` to defer it.

    Args:
        arch (str): ``'vgg19'`` (official code) or ``'vgg16'`` (thesis).
            Defaults to ``'vgg19'``.
        layer_indices (Sequence[int | str] | None): layers returned by default and the
            build depth. ``None`` builds the whole ``features`` stack, the last
            pooling layer included (so ``forward(x, ['pool5'])`` works), and returns
            every ReLU by default. Defaults to ``None``.
        weights (str | None): ``'torchvision'`` = ImageNet weights through torch.hub's
            cache (``$TORCH_HOME/hub/checkpoints``); a path = a local state-dict file
            (keys ``'0.weight'`` ... or ``'features.0.weight'`` ...); ``None`` = random
            init. Defaults to ``'torchvision'``.
        normalize_input (bool): apply ImageNet mean/std to [0, 1] inputs first. The
            official code does not. Defaults to False.
    """

    def __init__(
        self,
        arch: str = 'vgg19',
        layer_indices: Sequence[int | str] | None = None,
        weights: str | None = 'torchvision',
        normalize_input: bool = False,
    ) -> None:
        super().__init__()
        names = vgg_layer_names(arch)
        build_all = layer_indices is None
        if build_all:
            layer_indices = [n for n in names if n.startswith('relu')]
        self.arch = arch
        self.layer_indices = resolve_layers(arch, layer_indices)
        # None: every layer, pools included (pool5 is one past the last ReLU)
        deepest = max(names.values()) if build_all else max(self.layer_indices)
        self.depth = deepest + 1
        self.normalize_input = normalize_input
        from torchvision.models.vgg import cfgs, make_layers

        self.features = make_layers(cfgs[_ARCHS[arch][0]])[: self.depth]
        for m in self.features:
            if isinstance(m, nn.ReLU):
                m.inplace = False
        mean, std = torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)
        self.register_buffer('mean', mean.view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', std.view(1, 3, 1, 1), persistent=False)
        if weights is None:
            return
        if weights == 'torchvision':
            state = _torchvision_state_dict(arch)
            source = f'torchvision {_imagenet_weights(arch)}'
        elif isinstance(weights, str | os.PathLike):
            state, source = _read_state_dict(weights), os.fspath(weights)
        else:
            raise ConfigError(
                f"weights must be 'torchvision', None or a file path, got {weights!r}"
            )
        self._load_features(state, source)

    def _load_features(self, state: dict, source: str) -> None:
        if any(k.startswith('features.') for k in state):
            state = {k[9:]: v for k, v in state.items() if k.startswith('features.')}
        own = self.features.state_dict()
        missing = [k for k in own if k not in state]
        wrong = [
            f'{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}'
            for k, v in own.items()
            if k in state and getattr(state[k], 'shape', None) != v.shape
        ]
        if missing or wrong:
            raise CheckpointMismatchError(
                f'{source} does not fit {self.arch} features[:{self.depth}]: '
                f'missing keys {missing[:6]}, shape mismatches {wrong[:6]}. Expected a '
                f"state dict of torchvision's {self.arch}().features (keys like "
                "'0.weight') or of the whole VGG (keys like 'features.0.weight')."
            )
        self.features.load_state_dict({k: state[k] for k in own})

    def forward(
        self, x: Tensor, layer_indices: Sequence[int | str] | None = None
    ) -> list[Tensor]:
        """Extract features; runs the network only up to the deepest requested layer.

        Args:
            x (Tensor): (N, 3, H, W) RGB in [0, 1].
            layer_indices (Sequence[int | str] | None): layers to return, each within
                the built depth; ``None`` = the configured ``layer_indices``.

        Returns:
            list[Tensor]: one (N, C_i, H_i, W_i) map per requested layer, same order.
        """
        wanted = self.layer_indices
        if layer_indices is not None:
            wanted = resolve_layers(self.arch, layer_indices)
            if max(wanted) >= self.depth:
                raise ValueError(
                    f'layer {max(wanted)} was requested but this extractor is built up '
                    f'to layer {self.depth - 1}; add it to layer_indices (or leave '
                    'layer_indices None to build every layer)'
                )
        if self.normalize_input:
            x = (x - self.mean) / self.std
        taps: dict[int, Tensor] = {}
        last = max(wanted)
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in wanted:
                taps[i] = x
            if i == last:
                break
        return [taps[i] for i in wanted]


def _imagenet_weights(arch: str) -> Enum:
    import torchvision.models

    return getattr(torchvision.models, _ARCHS[arch][1]).IMAGENET1K_V1


def _torchvision_state_dict(arch: str) -> dict:
    enum = _imagenet_weights(arch)
    fname = os.path.basename(urlparse(enum.url).path)
    target = os.path.join(torch.hub.get_dir(), 'checkpoints', fname)
    try:
        return torch.hub.load_state_dict_from_url(
            enum.url, progress=False, check_hash=True, weights_only=True
        )
    except Exception as err:  # offline, proxy, bad hash, ...
        raise FileNotFoundError(
            f"Could not get torchvision's {arch} ImageNet weights ({enum}): {err!r}. "
            f'Place the file {fname} at {target} (the torch.hub cache; set $TORCH_HOME '
            "to move it), or set weights='<local path to a state dict>', or "
            'weights=None for a random network (no download; the perceptual and '
            'style losses then only regularise). In a config: '
            'losses.perceptual.feature_net=dict(weights=None) and the same for '
            'losses.style; on the command line: --cfg-options '
            'model.losses.perceptual.feature_net.weights=None '
            'model.losses.style.feature_net.weights=None '
            '(docs/config_system.md, "Training without pretrained loss weights").'
        ) from err


def _read_state_dict(path: str | os.PathLike) -> dict:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ConfigError(f"weights={path!r} is not 'torchvision', None or a file")
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise CheckpointMismatchError(
            f'cannot read {path!r} as a state dict (weights_only=True): {err}'
        ) from err
    if isinstance(state, dict) and isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    if not isinstance(state, dict) or not all(
        isinstance(v, Tensor) for v in state.values()
    ):
        raise CheckpointMismatchError(f'{path!r} does not hold a state dict of tensors')
    return state


class LazyFrozen:
    """Frozen feature net invisible to ``state_dict``, optimizers and DDP wrapping.

    Not an ``nn.Module``: as a plain attribute of a module it never appears in
    ``parameters()``/``state_dict()`` and ``.to()`` ignores it. The net is built on the
    first call (eval, ``requires_grad_(False)``) and follows the input's device.
    Its weights stay float32 (float64 for float64 inputs, a lossless round trip):
    float16 / bfloat16 inputs are computed in float32, and under autocast the ops
    cast for themselves. Converting the shared weights to a half dtype and back,
    as a half input followed by a float32 one would, would round them for good.
    Gradients still flow to the input. ``deepcopy`` (e.g. EMA) shares it;
    pickling drops the built net.

    Args:
        build (Callable[[], nn.Module]): returns the network; called once.
    """

    def __init__(self, build: Callable[[], nn.Module]) -> None:
        self._build = build
        self._net: nn.Module | None = None

    @property
    def is_built(self) -> bool:
        """Whether the network has been built."""
        return self._net is not None

    @property
    def net(self) -> nn.Module:
        """The frozen network, built on first access."""
        if self._net is None:
            self._net = self._build().eval().requires_grad_(False)
        return self._net

    def __call__(self, x: Tensor, *args, **kwargs) -> Tensor | list[Tensor]:
        """Run the frozen net on ``x`` (first positional argument), on x's device.

        The result is float32 for float16 / bfloat16 / float32 inputs without
        autocast, float64 for float64 inputs.
        """
        net = self.net
        x = at_least_float32(x)
        p = next(iter(net.parameters()), None)
        if p is not None and (p.device != x.device or p.dtype != x.dtype):
            net.to(device=x.device, dtype=x.dtype)
        return net(x, *args, **kwargs)

    def __deepcopy__(self, memo: dict) -> LazyFrozen:
        return self  # frozen and stateless for training: copies (e.g. EMA) share it

    def __getstate__(self) -> dict:
        return {'_build': self._build, '_net': None}  # never pickle the weights


_SHARED: dict[str, LazyFrozen] = {}


def _build_from_cfg(cfg: dict) -> nn.Module:  # picklable, unlike a bound method
    return MODELS.build(cfg)


def shared_lazy_frozen(cfg: dict, share: bool = True) -> LazyFrozen:
    """A :class:`LazyFrozen` building ``MODELS.build(cfg)``, one per distinct config.

    Args:
        cfg (dict): config of the frozen network, e.g.
            ``dict(type='VGGFeatureExtractor', weights='torchvision')``.
        share (bool): reuse the process-wide instance for an equal config (so
            several losses run one network). Defaults to True.

    Returns:
        LazyFrozen: unbuilt until first called.
    """
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ConfigError(
            f"feature_net must be a config dict with 'type', got {cfg!r}; the losses "
            "accept a dict without 'type' (e.g. dict(weights=None)) as overrides of "
            'their default VGG-19 config'
        )
    lazy = LazyFrozen(functools.partial(_build_from_cfg, dict(cfg)))
    if not share:
        return lazy
    key = json.dumps(dict(cfg), sort_keys=True, default=repr)
    return _SHARED.setdefault(key, lazy)


def clear_shared_feature_nets() -> None:
    """Forget all shared frozen networks (frees their memory once unreferenced)."""
    _SHARED.clear()
