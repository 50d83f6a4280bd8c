"""Generator-only and .safetensors checkpoints load for inference."""

import pytest
import torch
from mmengine.registry import init_default_scope
from safetensors.torch import save_file

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError
from tests.test_apis.tiny_inpaintor import tiny_config


def _fresh(cfg, seed: int = 1):
    init_default_scope('inpaintzoo')
    torch.manual_seed(seed)
    return MODELS.build(cfg.model)


def _same(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)


def test_generator_only_checkpoint_loads_into_the_generator(
    tiny_cfg, trained_model, generator_ckpt
):
    model = _fresh(tiny_cfg)
    d_before = {k: v.clone() for k, v in model.discriminator.state_dict().items()}
    meta = load_model_checkpoint(model, str(generator_ckpt))
    assert meta == dict(note='generator only')
    assert _same(model.generator.state_dict(), trained_model.generator.state_dict())
    assert _same(model.discriminator.state_dict(), d_before)  # D untouched


def test_generator_only_refused_where_the_full_state_is_needed(
    tiny_cfg, generator_ckpt
):
    with pytest.raises(CheckpointMismatchError, match='only the generator') as err:
        load_model_checkpoint(
            _fresh(tiny_cfg), str(generator_ckpt), allow_generator_only=False
        )
    assert str(generator_ckpt) in str(err.value)
    assert 'resum' in str(err.value)


def test_generator_only_with_wrong_shapes_names_the_keys(tiny_cfg, tmp_path):
    cfg = tiny_config()
    cfg.model.generator.dim = 8
    other = _fresh(cfg)
    path = tmp_path / 'wide.pth'
    torch.save(
        {f'generator.{k}': v for k, v in other.generator.state_dict().items()}, path
    )
    with pytest.raises(CheckpointMismatchError, match='shape mismatches'):
        load_model_checkpoint(_fresh(tiny_cfg), str(path))


def test_full_checkpoint_still_needs_every_key(tiny_cfg, trained_model, tmp_path):
    state = trained_model.state_dict()
    state.pop(next(k for k in state if k.startswith('discriminator.')))
    path = tmp_path / 'partial.pth'
    torch.save(dict(state_dict=state), path)
    with pytest.raises(CheckpointMismatchError, match='missing keys 1'):
        load_model_checkpoint(_fresh(tiny_cfg), str(path))


@pytest.mark.parametrize('prefixed', [True, False])
def test_safetensors_generator_checkpoint(tiny_cfg, trained_model, tmp_path, prefixed):
    gen = trained_model.generator.state_dict()
    state = {
        ('generator.' + k if prefixed else k): v.contiguous() for k, v in gen.items()
    }
    path = tmp_path / 'gen.safetensors'
    save_file(state, str(path))
    model = _fresh(tiny_cfg)
    assert load_model_checkpoint(model, str(path)) == {}
    assert _same(model.generator.state_dict(), gen)


def test_corrupt_safetensors_is_named(tiny_cfg, tmp_path):
    path = tmp_path / 'bad.safetensors'
    path.write_bytes(b'not a safetensors file')
    with pytest.raises(CheckpointMismatchError, match=r'bad\.safetensors'):
        load_model_checkpoint(_fresh(tiny_cfg), str(path))


@pytest.mark.parametrize(
    ('kind', 'command'),
    [
        ('generator', '`inpaintzoo convert --arch ARCH {file} OUT.pth`'),
        ('discriminator', '`inpaintzoo convert --arch ARCH GENERATOR.pth OUT.pth '
         '--dis {file}`'),
    ],
)  # fmt: skip
def test_official_checkpoint_names_the_installed_convert_command(
    tiny_cfg, tmp_path, kind, command
):
    """The fix names a console command, not a tools/ script a wheel lacks."""
    from inpaintzoo.cli.main import build_parser

    path = tmp_path / 'my run' / f'InpaintingModel_{kind[:3]}.pth'
    path.parent.mkdir()
    torch.save({kind: {'w': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointMismatchError) as err:
        load_model_checkpoint(_fresh(tiny_cfg), str(path))
    text = str(err.value)
    assert text.startswith(f'{path}: it looks like an official {kind} checkpoint')
    assert command.format(file=f"'{path}'") in text  # quoted: the path has a space
    assert 'tools/' not in text
    build_parser().parse_args(['convert', '--arch', 'hint', str(path), 'o.pth'])
