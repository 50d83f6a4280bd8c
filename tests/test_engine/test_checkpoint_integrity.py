"""Damaged checkpoint files and unsupported URLs are refused with one clear error."""

import re
import zipfile
from pathlib import Path

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from inpaintzoo.apis.checkpoint_loading import load_safetensors_file
from inpaintzoo.apis.cli import is_user_error
from inpaintzoo.engine.checkpoint import (
    UNSAFE_PICKLE_ENV,
    check_checkpoint_integrity,
    inpaintzoo_checkpoint_schemes,
    load_checkpoint_file,
    load_local_checkpoint,
)
from inpaintzoo.utils.errors import (
    CorruptCheckpointError,
    UnsupportedCheckpointURLError,
)


@pytest.fixture(autouse=True)
def _no_unsafe_env(monkeypatch):
    monkeypatch.delenv(UNSAFE_PICKLE_ENV, raising=False)


def _flip_middle(src: Path, dst: Path, count: int = 2000) -> None:
    """Copy ``src`` to ``dst`` with ``count`` bytes in the middle inverted."""
    data = bytearray(src.read_bytes())
    mid = len(data) // 2
    for i in range(mid, mid + count):
        data[i] ^= 0xFF
    dst.write_bytes(bytes(data))


@pytest.fixture
def saved(tmp_path) -> tuple[Path, torch.Tensor]:
    """A zip checkpoint (torch.save) of one large tensor, and the tensor."""
    weight = torch.randn(100_000)
    path = tmp_path / 'good.pth'
    torch.save({'state_dict': {'weight': weight}}, path)
    return path, weight


def test_flipped_bytes_in_tensor_data_are_refused_naming_the_member(saved, tmp_path):
    good, _ = saved
    bad = tmp_path / 'flipped.pth'
    _flip_middle(good, bad)
    # torch alone loads the damaged file: the values are silently wrong
    assert 'weight' in torch.load(bad, weights_only=True)['state_dict']
    with pytest.raises(CorruptCheckpointError) as err:
        load_local_checkpoint(bad)
    message = str(err.value)
    assert str(bad) in message
    assert re.search(r'member \S+/data/0 fails its CRC check', message)
    assert is_user_error(err.value)
    with pytest.raises(CorruptCheckpointError, match='CRC'):
        load_checkpoint_file(str(bad))


def test_intact_checkpoint_still_loads(saved):
    good, weight = saved
    assert torch.equal(load_local_checkpoint(good)['state_dict']['weight'], weight)


def test_runner_loader_refuses_flipped_bytes(saved, tmp_path):
    """MMEngine's loader inside the runner's schemes goes through the check."""
    good, _ = saved
    bad = tmp_path / 'iter_1.pth'
    _flip_middle(good, bad)
    with (
        inpaintzoo_checkpoint_schemes(),
        pytest.raises(CorruptCheckpointError, match='CRC'),
    ):
        CheckpointLoader.load_checkpoint(str(bad), map_location='cpu')


def test_zip_that_is_no_torch_checkpoint_is_named(tmp_path):
    path = tmp_path / 'photos.pth'
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('readme.txt', 'not weights')
    with pytest.raises(CorruptCheckpointError, match='not a PyTorch checkpoint'):
        load_local_checkpoint(path)
    with pytest.raises(CorruptCheckpointError, match='not a PyTorch checkpoint'):
        check_checkpoint_integrity(path)


@pytest.mark.parametrize(
    'url', ['s3://bucket/x.pth', 'open-mmlab://hint', 'torchvision://vgg16']
)
def test_other_url_schemes_are_a_user_error(url):
    with pytest.raises(UnsupportedCheckpointURLError) as err:
        load_checkpoint_file(url)
    assert url in str(err.value)
    assert 'download it and pass the local path' in str(err.value)
    assert is_user_error(err.value)
    assert isinstance(err.value, ValueError)  # as before, for generic handlers


@pytest.mark.parametrize(
    'url', ['s3://bucket/x.pth', 'torchvision://vgg16', 'open-mmlab:s3://b/x.pth']
)
def test_runner_schemes_refuse_mmengine_url_loaders(url):
    """``load_from=s3://...`` no longer goes through MMEngine's unchecked loaders."""
    with (
        inpaintzoo_checkpoint_schemes(),
        pytest.raises(UnsupportedCheckpointURLError),
    ):
        CheckpointLoader.load_checkpoint(url, map_location='cpu')


def test_file_url_loads_as_a_local_path(saved):
    good, weight = saved
    for url in (good.as_uri(), f'file://localhost{good}'):
        ckpt = load_checkpoint_file(url)
        assert torch.equal(ckpt['state_dict']['weight'], weight)
    with inpaintzoo_checkpoint_schemes():
        ckpt = CheckpointLoader.load_checkpoint(good.as_uri(), map_location='cpu')
    assert torch.equal(ckpt['state_dict']['weight'], weight)


def test_file_url_of_another_host_is_refused(saved):
    good, _ = saved
    with pytest.raises(UnsupportedCheckpointURLError, match="not on 'server'"):
        load_checkpoint_file(f'file://server{good}')


def test_file_url_of_a_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'missing\.pth does not exist'):
        load_checkpoint_file((tmp_path / 'missing.pth').as_uri())


def _safetensors(tmp_path: Path) -> Path:
    from safetensors.torch import save_file

    path = tmp_path / 'w.safetensors'
    save_file({'weight': torch.randn(1000)}, str(path))
    return path


@pytest.mark.parametrize('damage', ['header', 'truncated', 'appended'])
def test_structurally_damaged_safetensors_is_corrupt(tmp_path, damage):
    path = _safetensors(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == 'header':
        data[12] ^= 0xFF  # inside the JSON header
    elif damage == 'truncated':
        data = data[:-10]
    else:
        data += b'junk'
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptCheckpointError) as err:
        load_safetensors_file(path)
    assert str(path) in str(err.value)
    assert is_user_error(err.value)


def test_zip_checkpoint_missing_a_tensor_member_is_corrupt(saved, tmp_path):
    """Every CRC is right, but a storage the pickle refers to is not there."""
    good, _ = saved
    bad = tmp_path / 'missing_member.pth'
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, 'w') as dst:
        for info in src.infolist():
            if not info.filename.endswith('/data/0'):
                dst.writestr(info, src.read(info))
    with pytest.raises(CorruptCheckpointError, match=r'missing_member\.pth is corrupt'):
        load_local_checkpoint(bad)


def test_bad_map_location_is_not_called_corruption(saved):
    good, _ = saved
    with pytest.raises(RuntimeError) as err:
        load_local_checkpoint(good, map_location='nodevice')
    assert not isinstance(err.value, CorruptCheckpointError)


def test_unsafe_pickle_hint_only_where_the_switch_applies(tmp_path):
    """Callers that never unpickle (the zoo, the converter) do not offer the switch."""
    import argparse

    from inpaintzoo.engine.checkpoint import UNSAFE_PICKLE_FLAG, load_local_checkpoint
    from inpaintzoo.utils.errors import UnsafeCheckpointError

    path = tmp_path / 'object.pth'
    torch.save({'state_dict': {}, 'args': argparse.Namespace(a=1)}, path)
    with pytest.raises(UnsafeCheckpointError, match=r'argparse\.Namespace') as never:
        load_local_checkpoint(path, 'cpu', allow_unsafe_pickle=False)
    assert UNSAFE_PICKLE_FLAG not in str(never.value)
    with pytest.raises(UnsafeCheckpointError) as default:
        load_local_checkpoint(path, 'cpu')
    assert UNSAFE_PICKLE_FLAG in str(default.value)


def test_official_converter_reads_files_with_the_safe_loader(tmp_path):
    """tools/model_converters: a damaged file is named as such, not a torch error."""
    from inpaintzoo.models.converters.checkpoint_files import convert_official_files
    from inpaintzoo.utils.errors import CorruptCheckpointError

    path = tmp_path / 'InpaintingModel_gen.pth'
    path.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CorruptCheckpointError, match=r'InpaintingModel_gen\.pth'):
        convert_official_files('hint', str(path))
