"""Malformed, non-finite and wrongly typed checkpoints are refused before loading.

Each refusal is one :class:`CheckpointMismatchError` naming the file and the
problem (never a raw ``TypeError``/``AttributeError``), and the model keeps
its weights.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.cli import is_user_error
from inpaintzoo.cli.main import main as cli_entry
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, CorruptCheckpointError


def _fresh(cfg):
    init_default_scope('inpaintzoo')
    torch.manual_seed(1)
    return MODELS.build(cfg.model)


def _snapshot(model) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def _refused(model, path: Path, match: str) -> CheckpointMismatchError:
    """Load ``path``, expect a refusal matching ``match``; weights unchanged."""
    before = _snapshot(model)
    with pytest.raises(CheckpointMismatchError, match=match) as err:
        load_model_checkpoint(model, str(path))
    assert str(path) in str(err.value)
    assert is_user_error(err.value)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    return err.value


@pytest.fixture(scope='module')
def state(trained_model) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in trained_model.state_dict().items()}


def test_meta_that_is_no_dict(tiny_cfg, state, tmp_path):
    path = tmp_path / 'meta5.pth'
    torch.save({'state_dict': state, 'meta': 5}, path)
    _refused(_fresh(tiny_cfg), path, r'its meta is 5 \(int\), not a dict')


def test_state_dict_that_is_a_list(tiny_cfg, state, tmp_path):
    path = tmp_path / 'list.pth'
    torch.save({'state_dict': list(state.values())}, path)
    _refused(_fresh(tiny_cfg), path, 'its state_dict is a list, not a dict')


def test_state_dict_with_a_key_that_is_no_string(tiny_cfg, state, tmp_path):
    path = tmp_path / 'intkey.pth'
    torch.save({'state_dict': {**state, 1: torch.ones(1)}}, path)
    _refused(_fresh(tiny_cfg), path, r'1 keys that are not strings \(1\)')


def test_state_dict_with_non_tensor_values(tiny_cfg, state, tmp_path):
    path = tmp_path / 'strings.pth'
    torch.save({'state_dict': {**state, 'note': 'hello'}}, path)
    _refused(_fresh(tiny_cfg), path, r'not all tensors \(1 are not: note: str\)')


def test_empty_state_dict_holds_no_tensors(tiny_cfg, tmp_path):
    path = tmp_path / 'empty.pth'
    torch.save({'state_dict': {}}, path)
    err = _refused(_fresh(tiny_cfg), path, 'holds no tensors')
    assert 'missing keys' not in str(err)
    assert 'architecture' not in str(err)


def test_mismatch_message_has_no_stray_punctuation(tiny_cfg, state, tmp_path):
    partial = dict(state)
    partial.pop(next(iter(partial)))
    path = tmp_path / 'partial.pth'
    torch.save({'state_dict': partial}, path)
    err = _refused(_fresh(tiny_cfg), path, 'does not fit GANInpaintor: missing keys 1')
    assert ':;' not in str(err)


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_weights_are_refused(tiny_cfg, state, tmp_path, bad):
    broken = {
        k: torch.full_like(v, bad) if v.is_floating_point() else v
        for k, v in state.items()
    }
    n_float = sum(v.is_floating_point() for v in state.values())
    path = tmp_path / 'nan.pth'
    torch.save({'state_dict': broken}, path)
    err = _refused(_fresh(tiny_cfg), path, f'NaN or Inf values in {n_float} tensors')
    assert isinstance(err, CorruptCheckpointError)
    assert next(k for k, v in state.items() if v.is_floating_point()) in str(err)


def test_one_non_finite_value_is_found_in_a_generator_only_file(
    tiny_cfg, trained_model, tmp_path
):
    gen = {k: v.clone() for k, v in trained_model.generator.state_dict().items()}
    key = next(k for k, v in gen.items() if v.is_floating_point() and v.numel() > 1)
    gen[key].view(-1)[1] = float('nan')
    path = tmp_path / 'gen_nan.safetensors'
    from safetensors.torch import save_file

    save_file(gen, str(path))
    _refused(_fresh(tiny_cfg), path, rf'NaN or Inf values in 1 tensors \({key}\)')


def test_integer_weights_are_refused_not_cast(tiny_cfg, state, tmp_path):
    path = tmp_path / 'int64.pth'
    torch.save({'state_dict': {k: v.long() for k, v in state.items()}}, path)
    _refused(
        _fresh(tiny_cfg),
        path,
        r'tensors are not floating point .*torch\.int64 vs model torch\.float32',
    )


def test_half_precision_weights_still_load(tiny_cfg, state, tmp_path):
    path = tmp_path / 'half.pth'
    half = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    torch.save({'state_dict': half}, path)
    model = _fresh(tiny_cfg)
    load_model_checkpoint(model, str(path))
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], half[k].to(loaded[k].dtype)) for k in half)


@pytest.fixture(scope='module')
def cli_inputs(tiny_cfg, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp('cli')
    config = root / 'tiny.py'
    tiny_cfg.dump(str(config))
    image, mask = root / 'in.png', root / 'mask.png'
    cv2.imwrite(str(image), np.full((32, 32, 3), 128, np.uint8))
    hole = np.zeros((32, 32), np.uint8)
    hole[8:16, 8:16] = 255
    cv2.imwrite(str(mask), hole)
    return dict(config=config, image=image, mask=mask, root=root)


def _write_bad(kind: str, state: dict, folder: Path) -> str:
    if kind == 's3':
        return 's3://bucket/x.pth'
    path = folder / f'{kind}.pth'
    if kind == 'meta':
        torch.save({'state_dict': state, 'meta': 5}, path)
    elif kind == 'list':
        torch.save({'state_dict': list(state.values())}, path)
    else:
        torch.save({'state_dict': {**state, 1: torch.ones(1)}}, path)
    return str(path)


@pytest.mark.parametrize('kind', ['meta', 'list', 'intkey', 's3'])
def test_cli_prints_one_line_for_a_malformed_checkpoint(
    kind, state, cli_inputs, capsys, monkeypatch
):
    monkeypatch.delenv('INPAINTZOO_DEBUG', raising=False)
    checkpoint = _write_bad(kind, state, cli_inputs['root'])
    argv = ['inpaint', '--model', str(cli_inputs['config']), '--checkpoint',
            checkpoint, '--mask', str(cli_inputs['mask']), '--out',
            str(cli_inputs['root'] / f'out_{kind}'), '--device', 'cpu',
            str(cli_inputs['image'])]  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        cli_entry(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith('error: ')
    assert checkpoint in err
    assert 'Traceback' not in err
