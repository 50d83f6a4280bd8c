"""Verify fetched weights by structure, convert official files once, cache them.

* An **official** file (``InpaintingModel_gen.pth``: ``{'iteration', 'generator'}``)
  is read with :func:`inpaintzoo.engine.checkpoint.load_local_checkpoint`
  (``weights_only=True`` and the runner allow-list, never full unpickling, not
  even with ``INPAINTZOO_UNSAFE_PICKLE=1``), converted with the metafile's
  converter into the generator built from the metafile's config, and must give
  exactly that generator's key set and the metafile's parameter count.
* **Our own** files (``.safetensors``, or a ``.pth`` state dict) get the same key
  and parameter-count check.
* Both are refused when their values are degenerate (:func:`check_values`).

The result is saved as ``converted/<zoo name>.safetensors`` (keys
``generator.<name>``, what :func:`inpaintzoo.apis.checkpoint_loading.
read_checkpoint` loads) with its sha256 in ``<file>.sha256``; its metadata
records the source's sha256 and how the source was checked (``source_check``:
``sha256`` or ``structure``).
"""

import logging
import os
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

from inpaintzoo.apis.checkpoint_loading import extract_state_dict, load_safetensors_file
from inpaintzoo.apis.state_checks import check_finite, state_dict_differences
from inpaintzoo.engine.atomic_io import temp_name
from inpaintzoo.engine.checkpoint import file_sha256, load_local_checkpoint
from inpaintzoo.hub.cache import converted_metadata, write_sidecar
from inpaintzoo.hub.zoo_model import ZooModel
from inpaintzoo.utils.errors import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
)

logger = logging.getLogger(__name__)

GENERATOR_PREFIX = 'generator.'
#: ``source_check`` metadata: the source matched its published sha256
CHECKED_BY_SHA256 = 'sha256'
#: ``source_check`` metadata: no published sha256; keys, shapes, count and values only
CHECKED_BY_STRUCTURE = 'structure'


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


def check_values(state: dict[str, torch.Tensor], source: str) -> None:
    """Refuse degenerate weights: non-finite values, or no tensor varying at all.

    The rule: every floating tensor must be finite (no NaN/Inf), and at least
    one floating tensor must hold two different values. A file whose tensors
    are each one repeated value (all zeros, all ones, a constant per layer) is
    no trained network, even when its keys, shapes and count are right.

    Raises:
        CorruptCheckpointError: names the file and the offending tensors.
    """
    check_finite(state, source, 'the file is refused; delete it and fetch it again')
    floats = [v for v in state.values() if torch.is_floating_point(v)]
    if floats and not any(_varies(v) for v in floats):
        raise CorruptCheckpointError(
            f'{source} is degenerate: each of its {len(floats)} floating tensors holds '
            'one repeated value (e.g. all zeros), so it is no trained network. The '
            'file is refused; delete it and fetch it again'
        )


def _varies(value: torch.Tensor) -> bool:
    """Whether ``value`` holds at least two different values."""
    flat = value.reshape(-1)
    return flat.numel() > 1 and not bool((flat == flat[0]).all())


def drop_if_degenerate(path: Path) -> bool:
    """Delete the converted file ``path`` (and sidecar) if :func:`check_values` fails.

    For converted files written before the value check existed. Returns whether
    the file was deleted; a warning names the file and the reason.
    """
    try:
        check_values(load_safetensors_file(path), str(path))
    except (CorruptCheckpointError, CheckpointMismatchError) as err:
        logger.warning('%s; deleting it so it is rebuilt from its source', err)
        path.unlink(missing_ok=True)
        path.with_name(f'{path.name}.sha256').unlink(missing_ok=True)
        return True
    return False


def load_official_file(path: Path) -> dict:
    """The dict of an official ``.pth`` file, read by the engine's safe loader.

    Never full unpickling (``allow_unsafe_pickle=False``), whatever
    ``INPAINTZOO_UNSAFE_PICKLE`` says.

    Raises:
        CorruptCheckpointError: not a checkpoint, truncated, or not a dict.
        UnsafeCheckpointError: it refers to a Python object outside the
            allow-list (named).
    """
    try:
        raw = load_local_checkpoint(path, 'cpu', allow_unsafe_pickle=False)
    except UnsafeCheckpointError as err:
        raise UnsafeCheckpointError(
            f'{err} The model zoo never fully unpickles downloaded weights: delete '
            f'{path} and fetch it again'
        ) from err
    except (CorruptCheckpointError, OSError) as err:  # also a missing file
        raise CorruptCheckpointError(
            f'{err}. Delete {path} and fetch it again'
        ) from err
    except Exception as err:  # an intact zip that torch cannot read
        raise CorruptCheckpointError(
            f'{path} is not an official PyTorch checkpoint ({type(err).__name__}: '
            f'{str(err).splitlines()[0] if str(err) else ""}). Delete it and fetch '
            'it again'
        ) from err
    if not isinstance(raw, dict):
        raise CorruptCheckpointError(
            f'{path} holds a {type(raw).__name__}, not the dict of an official '
            'checkpoint. Delete it and fetch it again'
        )
    return raw


def convert_official_file(
    info: ZooModel, path: Path, converter: str
) -> dict[str, torch.Tensor]:
    """Official checkpoint file -> our generator state dict, structure-checked.

    Raises:
        CorruptCheckpointError: not a readable checkpoint, or degenerate values.
        UnsafeCheckpointError: it refers to a Python object outside the allow-list.
        CheckpointMismatchError: another architecture, keys, shapes or count.
    """
    from inpaintzoo.models.converters import convert_official_state_dict

    raw = load_official_file(path)
    model = build_generator(info)
    try:
        state = convert_official_state_dict(converter, raw, model)
    except CheckpointMismatchError as err:
        raise CheckpointMismatchError(
            f'{path} does not convert to the {info.name!r} generator: {err}. The file '
            'is refused; delete it and fetch the right file for this model'
        ) from err
    check_structure(info, state, str(path), model)
    check_values(state, str(path))
    return state


def load_own_file(info: ZooModel, path: Path) -> dict[str, torch.Tensor]:
    """Our published generator file (``.safetensors``/``.pth``), structure-checked.

    A ``.pth`` is read like an official file (never full unpickling).
    """
    if path.suffix == '.safetensors':
        state = extract_state_dict(load_safetensors_file(path), str(path))
    else:
        state = extract_state_dict(load_official_file(path), str(path))
    if any(k.startswith(GENERATOR_PREFIX) for k in state):
        state = {
            k[len(GENERATOR_PREFIX) :]: v
            for k, v in state.items()
            if k.startswith(GENERATOR_PREFIX)
        }
    check_structure(info, state, str(path), build_generator(info))
    check_values(state, str(path))
    return state


def source_check_of(path: Path) -> str:
    """How the source of the converted file ``path`` was checked (its metadata).

    :data:`CHECKED_BY_SHA256`, :data:`CHECKED_BY_STRUCTURE`, or ``'unknown'``
    for files converted before this was recorded.
    """
    return converted_metadata(path).get('source_check', 'unknown')


def save_converted(
    info: ZooModel,
    state: dict[str, torch.Tensor],
    source: Path,
    source_check: str,
) -> Path:
    """Write ``state`` to ``info.converted_path()`` atomically, plus sha256 sidecar.

    ``source_check`` (:data:`CHECKED_BY_SHA256` or :data:`CHECKED_BY_STRUCTURE`)
    goes into the file's metadata, so a later reuse can tell whether its source
    was ever verified against a published hash.
    """
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
        'source_check': source_check,
    }
    try:
        save_file(tensors, str(tmp), metadata=metadata)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    write_sidecar(target)
    return target
