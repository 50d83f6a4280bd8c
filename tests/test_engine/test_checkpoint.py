"""Checkpoint loading: weights-only + allow-list, no implicit trust, checked URLs."""

import functools
import hashlib
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.logging.history_buffer import HistoryBuffer
from torch import nn

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.runner_setup import load_config, setup_resume
from inpaintzoo.engine.checkpoint import (
    UNSAFE_PICKLE_ENV,
    check_checkpoint_integrity,
    load_checkpoint_file,
    load_http_checkpoint,
    load_local_checkpoint,
    sha256_from_url,
)
from inpaintzoo.utils.errors import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
)

REPO = Path(__file__).resolve().parents[2]


class RunsCode:
    """Unpickling this writes ``path``: stands in for a malicious checkpoint."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f'open({str(self.path)!r}, "w").write("pwned")',))


def _evil_checkpoint(path: Path, marker: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'state_dict': {'weight': torch.ones(1)}, 'x': RunsCode(marker)}, path)
    return path


@pytest.fixture(autouse=True)
def _no_unsafe_env(monkeypatch):
    monkeypatch.delenv(UNSAFE_PICKLE_ENV, raising=False)


def test_tensor_checkpoint_loads(tmp_path):
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {'a': torch.ones(2)}, 'meta': {'iter': 3}}, path)
    ckpt = load_checkpoint_file(str(path))
    assert torch.equal(ckpt['state_dict']['a'], torch.ones(2))
    assert ckpt['meta'] == {'iter': 3}


def test_runner_message_hub_loads_with_allow_list_only_inside(tmp_path):
    """What MMEngine pickles in a runner checkpoint loads weights-only."""
    hub = MessageHub(f'ckpt_test_{tmp_path.name}')
    for i in range(3):
        hub.update_scalar('train/loss', 0.5 * i)
        hub.update_scalar('train/count', i)
    hub.update_info('keep_ckpt_ids', [1, 2])
    path = tmp_path / 'iter_2.pth'
    torch.save(
        {'state_dict': {'a': torch.ones(1)}, 'message_hub': hub.state_dict()}, path
    )
    # torch keeps its allow-list in a set: compare contents, not order
    before = set(torch.serialization.get_safe_globals())
    ckpt = load_local_checkpoint(path)
    assert set(torch.serialization.get_safe_globals()) == before
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert buffer.mean() == pytest.approx(0.5)
    assert buffer.statistics('max') == 1.0
    assert ckpt['message_hub']['runtime_info']['keep_ckpt_ids'] == [1, 2]
    # outside our loader, torch still refuses the same file
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path, weights_only=True)


def _trusted_before_by_marker(tmp_path: Path) -> Path:
    """Old rule 1: a file next to ``last_checkpoint`` was unpickled fully."""
    (tmp_path / 'shared').mkdir()
    (tmp_path / 'shared' / 'last_checkpoint').write_text('iter_1.pth')
    return tmp_path / 'shared' / 'iter_1.pth'


def _trusted_before_by_work_dir(tmp_path: Path) -> Path:
    """Old rule 2: anything under the config's ``work_dirs/<config stem>``."""
    config = tmp_path / 'toy_config.py'
    config.write_text('x = 1\n')
    cfg = load_config(str(config))
    return tmp_path / cfg.work_dir / 'iter_1.pth'


def _trusted_before_by_resume(tmp_path: Path) -> Path:
    """Old rule 3: the whole folder of a ``--resume`` path."""
    config = tmp_path / 'toy_config.py'
    config.write_text('x = 1\n')
    cfg = load_config(str(config), work_dir=str(tmp_path / 'wd'))
    setup_resume(cfg, str(tmp_path / 'downloads' / 'iter_9.pth'))
    return tmp_path / 'downloads' / 'other.pth'


@pytest.mark.parametrize(
    'situation',
    [_trusted_before_by_marker, _trusted_before_by_work_dir, _trusted_before_by_resume],
)
def test_code_in_checkpoint_never_runs(tmp_path, monkeypatch, situation):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / 'pwned'
    path = _evil_checkpoint(situation(tmp_path), marker)
    model = nn.Linear(1, 1, bias=False)
    with pytest.raises(CheckpointMismatchError) as err:
        load_model_checkpoint(model, str(path))
    assert not marker.exists(), 'unpickling ran code from the checkpoint'
    assert re.search(r'refusing .*`exec`', str(err.value))


def test_unsafe_pickle_only_with_explicit_opt_in(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    path = _evil_checkpoint(tmp_path / 'mine.pth', marker)
    with pytest.raises(UnsafeCheckpointError, match='--unsafe-load-pickle') as err:
        load_local_checkpoint(path)
    assert 'arbitrary code' in str(err.value)
    assert not marker.exists()
    monkeypatch.setenv(UNSAFE_PICKLE_ENV, '1')
    load_local_checkpoint(path)
    assert marker.read_text() == 'pwned'


#: child process: snapshot torch / warnings / environment after importing the
#: dependencies inpaintzoo needs anyway (torch, MMEngine's runner), then import
#: inpaintzoo and check that nothing changed and no heavy optional module loaded
IMPORT_PROBE = """
import os, sys, warnings
import torch, mmengine.runner
from mmengine.runner.checkpoint import CheckpointLoader as L
state = lambda: (sorted((k, id(v)) for k, v in L._schemes.items()),
                 sorted(map(str, torch.serialization.get_safe_globals())))
before, seed, filters = state(), torch.manual_seed, list(warnings.filters)
import inpaintzoo
{more_imports}
loaded = [m for m in ('torch._dynamo', 'torchvision', 'scipy', 'skimage')
          if m in sys.modules]
assert not loaded, f'importing inpaintzoo loaded {{loaded}}; import them lazily'
assert torch.manual_seed is seed, f'torch.manual_seed replaced by {{torch.manual_seed}}'
after = state()
assert after[0] == before[0], f'checkpoint schemes changed: {{after[0]}}'
new_globals = sorted(set(after[1]) - set(before[1]))
assert after[1] == before[1], f'safe globals added: {{new_globals}}'
assert 'TORCHINDUCTOR_CACHE_DIR' not in os.environ, 'TORCHINDUCTOR_CACHE_DIR set'
added = [f for f in warnings.filters if f not in filters]
assert warnings.filters == filters, (
    f'warnings filters changed: added {{added}}, first now {{warnings.filters[0]}}')
{check}
print('ok')
"""


def _run_import_probe(more_imports: str = '', check: str = '') -> None:
    code = IMPORT_PROBE.format(more_imports=more_imports, check=check)
    env = {k: v for k, v in os.environ.items() if k != 'TORCHINDUCTOR_CACHE_DIR'}
    result = subprocess.run(
        [sys.executable, '-c', code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == 'ok'


def test_importing_inpaintzoo_changes_no_global_state():
    """``import inpaintzoo`` patches nothing and loads no torchvision / dynamo / scipy.

    torchvision's import loads ``torch._dynamo``, which replaces
    ``torch.manual_seed``, sets ``TORCHINDUCTOR_CACHE_DIR`` and adds safe globals;
    scipy adds a warnings filter. MMEngine's loaders must stay as they were.
    """
    _run_import_probe(
        'import inpaintzoo.engine, inpaintzoo.apis.checkpoint_loading\n'
        'import inpaintzoo.apis.runner_setup'
    )


@pytest.mark.slow
def test_registry_packages_import_lazily_and_still_build():
    """Every registry location imports without torchvision; lazy parts still build."""
    _run_import_probe(
        'import inpaintzoo.models, inpaintzoo.evaluation, inpaintzoo.datasets\n'
        'import inpaintzoo.visualization',
        check=(
            'from inpaintzoo.registry import METRICS, MODELS\n'
            "assert 'FIDMetric' in METRICS.module_dict\n"
            "assert 'VGGFeatureExtractor' in MODELS.module_dict\n"
            "net = MODELS.build(dict(type='VGGFeatureExtractor', arch='vgg16',\n"
            "                        layer_indices=['relu1_2'], weights=None))\n"
            'assert len(net.features) == 4, net.features\n'
            'from inpaintzoo.evaluation import InceptionPool3\n'
            'from inpaintzoo.evaluation.feature_extractors import InceptionPool3 as I\n'
            'assert I is InceptionPool3\n'
            'net = InceptionPool3(weights=None, resize=False).eval()\n'
            'feats = net(torch.rand(1, 3, 75, 75))\n'
            'assert feats.shape == (1, 2048), feats.shape'
        ),
    )


def test_text_file_is_not_called_a_pickle(tmp_path):
    bad = tmp_path / 'notes.pth'
    bad.write_text('lr = 0.1\nthis is not a checkpoint\n')
    with pytest.raises(
        CorruptCheckpointError, match=r"not a PyTorch checkpoint.*'lr = 0\.1'"
    ):
        load_checkpoint_file(str(bad))


def test_broken_symlink_and_missing_file(tmp_path):
    link = tmp_path / 'latest.pth'
    link.symlink_to(tmp_path / 'gone' / 'iter_8.pth')
    with pytest.raises(
        FileNotFoundError, match=r'broken symbolic link to .*iter_8\.pth'
    ):
        load_checkpoint_file(str(link))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_checkpoint_file(str(tmp_path / 'missing.pth'))


def test_truncated_and_empty_files(tmp_path):
    good = tmp_path / 'iter_1.pth'
    torch.save({'state_dict': {'w': torch.zeros(1000)}}, good)
    cut = tmp_path / 'iter_2.pth'
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CorruptCheckpointError, match='corrupt or truncated'):
        load_checkpoint_file(str(cut))
    with pytest.raises(CorruptCheckpointError, match='corrupt or truncated'):
        check_checkpoint_integrity(cut)
    check_checkpoint_integrity(good)
    empty = tmp_path / 'iter_3.pth'
    empty.touch()
    with pytest.raises(CorruptCheckpointError, match='empty'):
        load_checkpoint_file(str(empty))


def test_other_url_schemes_are_refused():
    with pytest.raises(ValueError, match='only local paths and http'):
        load_checkpoint_file('s3://bucket/model.pth')


@pytest.mark.parametrize(
    ('url', 'expected'),
    [
        ('https://h/hint_20261124-0a1b2c3d.pth', '0a1b2c3d'),
        ('https://h/hint-1.0-0A1B2C3D4E.pth?dl=1', '0a1b2c3d4e'),
        ('https://h/model.pth', None),
        ('https://h/model-.pth', None),
        ('https://h/hint-1.0.pth', None),
        ('https://h/model-0a1b2c3.pth', None),
    ],
)
def test_sha256_from_url(url, expected):
    assert sha256_from_url(url) == expected


@pytest.fixture
def http_dir(tmp_path, monkeypatch):
    """(folder served on 127.0.0.1, its base URL); the torch cache is per test."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    serve = tmp_path / 'srv'
    serve.mkdir()
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(serve)
    )
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield serve, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()


def _publish(serve: Path, stem: str, value: float = 1.0) -> tuple[Path, str]:
    """Save a checkpoint as ``serve/<stem>-<sha8>.pth``; return (path, sha256)."""
    raw = serve / 'raw.pth'
    torch.save({'state_dict': {'w': torch.full((3,), value)}}, raw)
    sha = hashlib.sha256(raw.read_bytes()).hexdigest()
    path = serve / f'{stem}-{sha[:8]}.pth'
    raw.rename(path)
    return path, sha


def _cached(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / 'torch_home').rglob('*.pth*'))


def test_http_hash_checked_and_version_dashes_allowed(http_dir, tmp_path):
    serve, url = http_dir
    good, _ = _publish(serve, 'model_20261125')
    ckpt = load_checkpoint_file(f'{url}/{good.name}')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(3))
    versioned, _ = _publish(serve, 'hint-1.0', value=2.0)
    ckpt = load_checkpoint_file(f'{url}/{versioned.name}')
    assert torch.equal(ckpt['state_dict']['w'], torch.full((3,), 2.0))
    bad = serve / 'model_20261125-deadbeef.pth'
    bad.write_bytes(good.read_bytes())
    with pytest.raises(RuntimeError, match='invalid hash value'):
        load_checkpoint_file(f'{url}/{bad.name}')
    assert not [p for p in _cached(tmp_path) if 'deadbeef' in p.name]


@pytest.mark.parametrize('name', ['model.pth', 'model-.pth', 'hint-1.0.pth'])
def test_http_without_hash_is_refused(http_dir, tmp_path, name):
    serve, url = http_dir
    good, sha = _publish(serve, 'model')
    (serve / name).write_bytes(good.read_bytes())
    with pytest.raises(UnsafeCheckpointError, match='no sha256 was given'):
        load_checkpoint_file(f'{url}/{name}')
    assert _cached(tmp_path) == []
    ckpt = load_http_checkpoint(f'{url}/{name}', sha256=sha)
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(3))


def test_http_cached_file_is_checked_too(http_dir, tmp_path):
    serve, url = http_dir
    good, _ = _publish(serve, 'model_20261125')
    load_checkpoint_file(f'{url}/{good.name}')
    (cached,) = _cached(tmp_path)
    torch.save({'state_dict': {'w': torch.zeros(3)}}, cached)  # tampered cache
    with pytest.raises(RuntimeError, match=r'invalid hash value: the cached file'):
        load_checkpoint_file(f'{url}/{good.name}')


def test_http_never_unpickles_fully(http_dir, monkeypatch, tmp_path):
    serve, url = http_dir
    marker = tmp_path / 'pwned'
    raw = _evil_checkpoint(serve / 'raw.pth', marker)
    sha = hashlib.sha256(raw.read_bytes()).hexdigest()
    raw.rename(serve / f'evil-{sha[:8]}.pth')
    monkeypatch.setenv(UNSAFE_PICKLE_ENV, '1')
    with pytest.raises(UnsafeCheckpointError, match='refusing'):
        load_checkpoint_file(f'{url}/evil-{sha[:8]}.pth')
    assert not marker.exists()
    assert os.environ[UNSAFE_PICKLE_ENV] == '1'


class AttributeGrab:
    """Unpickles as ``getattr(numpy.ndarray, 'tofile')``: outside the allow-list."""

    def __reduce__(self):
        return (getattr, (np.ndarray, 'tofile'))


def test_allow_list_getattr_is_limited_to_history_buffer(tmp_path):
    path = tmp_path / 'grab.pth'
    torch.save({'state_dict': {}, 'x': AttributeGrab()}, path)
    with pytest.raises(UnsafeCheckpointError, match='refusing'):
        load_local_checkpoint(path)


class GetattrOf:
    """Unpickles as ``getattr(owner, name)`` (pickled as builtins.getattr)."""

    def __init__(self, owner: type, name: str):
        self.owner, self.name = owner, name

    def __reduce__(self):
        return (getattr, (self.owner, self.name))


@pytest.mark.parametrize(
    ('owner', 'name'),
    [
        (HistoryBuffer, '__init__'),
        (HistoryBuffer, '__class__'),
        (HistoryBuffer, '__subclasses__'),
        (HistoryBuffer, '__dict__'),
        (HistoryBuffer, 'update'),
        (np.ndarray, 'min'),
    ],
)
def test_allow_list_getattr_refuses_other_names_and_owners(tmp_path, owner, name):
    path = tmp_path / 'grab.pth'
    torch.save({'state_dict': {}, 'x': GetattrOf(owner, name)}, path)
    with pytest.raises(UnsafeCheckpointError, match='refusing'):
        load_local_checkpoint(path)


@pytest.mark.parametrize('name', ['min', 'max', 'current', 'mean'])
def test_allow_list_getattr_gives_history_buffer_statistics(tmp_path, name):
    path = tmp_path / 'stat.pth'
    torch.save({'state_dict': {}, 'x': GetattrOf(HistoryBuffer, name)}, path)
    assert load_local_checkpoint(path)['x'] is getattr(HistoryBuffer, name)


def test_errors_of_an_intact_file_are_not_called_corruption(tmp_path):
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {'a': torch.ones(2)}}, path)

    def bad_location(storage, location):
        raise ValueError('no such device: tpu7')

    with pytest.raises(ValueError, match='no such device') as err:
        load_local_checkpoint(path, map_location=bad_location)
    assert not isinstance(err.value, CorruptCheckpointError)
