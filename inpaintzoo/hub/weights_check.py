"""Verify fetched weights by structure, convert official files once, cache them.

* An **official** file (``InpaintingModel_gen.pth``: ``{'iteration', 'generator'}``)
  is read with ``torch.load(weights_only=True)`` (plain dicts and tensors only,
  never full unpickling), converted with the metafile's converter into the
  generator built from the metafile's config, and must give exactly that
  generator's key set and the metafile's parameter count.
* **Our own** files (``.safetensors``, or a ``.pth`` state dict) get the same key
  and parameter-count check.

The result is saved as ``<zoo name>.safetensors`` (keys ``generator.<name>``,
what :func:`inpaintzoo.apis.checkpoint_loading.read_checkpoint` loads) with its
sha256 in ``<file>.sha256``; the load path never unpickles.
"""

import os
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

from inpaintzoo.apis.checkpoint_loading import state_dict_differences
from inpaintzoo.engine.atomic_io import temp_name
from inpaintzoo.engine.checkpoint import file_sha256
from inpaintzoo.hub.cache import write_sidecar
from inpaintzoo.hub.zoo_model import ZooModel
from inpaintzoo.utils.errors import CheckpointMismatchError, CorruptCheckpointError

GENERATOR_PREFIX = 'generator.'


def build_generator(info: ZooModel) -> nn.Module:
    """The (randomly initialised) generator of ``info.config``."""
    from inpaintzoo.registry import MODELS

    init_default_scope('inpaintzoo')
    cfg = Config.fromfile(str(info.config_path()))
    return MODELS.build(cfg.model.generator)


def count_parameters(state: dict[str, torch.Tensor], model: nn.Module) -> int:
    """Number of values in ``state`` that are parameters (not buffers) of ``model``."""
    names = {n for n, _ in model.named_parameters()}
    return sum(v.numel() for k, v in state.items() if k in names)


def check_structure(
    info: ZooModel, state: dict[str, torch.Tensor], source: str, model: nn.Module
) -> None:
    """Refuse ``state`` unless it has ``model``'s keys/shapes and param count.

    Raises:
        CheckpointMismatchError: names the file, the zoo model, the differing
            keys or counts and what to do.
    """
    missing, unexpected, shapes = state_dict_differences(model, state, 'file')
    problems = []
    if missing:
        problems.append(f'{len(missing)} missing keys (e.g. {missing[:3]})')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys (e.g. {unexpected[:3]})')
    if shapes:
        problems.append(f'{len(shapes)} shape mismatches (e.g. {shapes[:2]})')
    built = sum(p.numel() for p in model.parameters())
    if info.params is not None and built != info.params:
        problems.append(
            f'the config {info.config} builds {built:,} parameters but the metafile '
            f'{info.metafile} records {info.params:,} (metafile and config disagree)'
        )
    counted = count_parameters(state, model)
    if not problems and info.params is not None and counted != info.params:
        problems.append(
            f'it holds {counted:,} parameters, the metafile {info.params:,}'
        )
    if problems:
        raise CheckpointMismatchError(
            f'{source} is not the {info.name!r} generator ({info.arch}, config '
            f'{info.config}): ' + '; '.join(problems) + '. The file is refused; '
            'delete it and fetch the right file for this model (see '
            'inpaintzoo.hub.get_model_info(name).weights)'
        )


def convert_official_file(
    info: ZooModel, path: Path, converter: str
) -> dict[str, torch.Tensor]:
    """Official checkpoint file -> our generator state dict, structure-checked.

    Raises:
        CorruptCheckpointError: not a readable tensor-only PyTorch file.
        CheckpointMismatchError: another architecture, keys, shapes or count.
    """
    from inpaintzoo.models.converters import convert_official_state_dict

    try:
        raw = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # truncated zip, not a checkpoint, disallowed globals
        raise CorruptCheckpointError(
            f'{path} cannot be read as an official checkpoint with weights_only=True '
            f'({type(err).__name__}: {err}); it is truncated, corrupt or not a '
            'checkpoint. Delete it and fetch it again'
        ) from err
    model = build_generator(info)
    try:
        state = convert_official_state_dict(converter, raw, model)
    except CheckpointMismatchError as err:
        raise CheckpointMismatchError(
            f'{path} does not convert to the {info.name!r} generator: {err}. The file '
            'is refused; delete it and fetch the right file for this model'
        ) from err
    check_structure(info, state, str(path), model)
    return state


def load_own_file(info: ZooModel, path: Path) -> dict[str, torch.Tensor]:
    """Our published generator file (``.safetensors``/``.pth``), structure-checked."""
    from inpaintzoo.apis.checkpoint_loading import read_checkpoint

    state, _ = read_checkpoint(str(path))
    if any(k.startswith(GENERATOR_PREFIX) for k in state):
        state = {
            k[len(GENERATOR_PREFIX) :]: v
            for k, v in state.items()
            if k.startswith(GENERATOR_PREFIX)
        }
    check_structure(info, state, str(path), build_generator(info))
    return state


def save_converted(
    info: ZooModel, state: dict[str, torch.Tensor], source: Path
) -> Path:
    """Write ``state`` to ``info.converted_path()`` atomically, plus sha256 sidecar."""
    from safetensors.torch import save_file

    target = info.converted_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(target)
    tensors = {
        GENERATOR_PREFIX + k: v.detach().contiguous().cpu() for k, v in state.items()
    }
    metadata = {
        'zoo_name': info.name,
        'arch': info.arch,
        'config': info.config,
        'source_file': source.name,
        'source_sha256': file_sha256(source),
    }
    try:
        save_file(tensors, str(tmp), metadata=metadata)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    write_sidecar(target)
    return target
