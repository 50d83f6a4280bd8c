import functools
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from inpaintzoo.engine.checkpoint import (
    TRUST_ENV,
    is_trusted_training_state,
    load_local_checkpoint,
    trust_directory,
)
from inpaintzoo.utils.errors import CheckpointMismatchError


def test_tensor_checkpoint_loads_weights_only(tmp_path):
    path = tmp_path / 'w.pth'
    torch.save({'state_dict': {'a': torch.ones(2)}, 'meta': {'iter': 3}}, path)
    ckpt = CheckpointLoader.load_checkpoint(str(path))
    assert torch.equal(ckpt['state_dict']['a'], torch.ones(2))


def test_pickled_state_refused_unless_trusted(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'sub' / 'iter_2.pth'
    path.parent.mkdir()
    torch.save({'message_hub': np.array([1.0]), 'state_dict': {}}, path)
    with pytest.raises(CheckpointMismatchError, match='refusing to unpickle'):
        load_local_checkpoint(str(path))
    assert not is_trusted_training_state(path)
    trust_directory(tmp_path / 'sub')
    assert is_trusted_training_state(path)
    assert load_local_checkpoint(str(path))['message_hub'][0] == 1.0


def test_last_checkpoint_marker_and_env_trust(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = tmp_path / 'iter_1.pth'
    torch.save({'x': np.zeros(1)}, path)
    assert not is_trusted_training_state(path)
    (tmp_path / 'last_checkpoint').write_text(str(path))
    assert is_trusted_training_state(path)
    other = tmp_path / 'elsewhere'
    other.mkdir()
    monkeypatch.setenv(TRUST_ENV, '1')
    assert is_trusted_training_state(other / 'x.pth')


def test_corrupt_and_missing_files(tmp_path):
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'this is not a checkpoint')
    with pytest.raises(CheckpointMismatchError, match='corrupt'):
        CheckpointLoader.load_checkpoint(str(bad))
    with pytest.raises(FileNotFoundError):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'missing.pth'))


@pytest.fixture
def http_dir(tmp_path):
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


def test_http_scheme_checks_hash(http_dir, tmp_path, monkeypatch):
    serve, url = http_dir
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    raw = serve / 'tmp.pth'
    torch.save({'state_dict': {'w': torch.arange(3.0)}}, raw)
    sha = hashlib.sha256(raw.read_bytes()).hexdigest()
    good = serve / f'model_20261125-{sha[:8]}.pth'
    raw.rename(good)
    ckpt = CheckpointLoader.load_checkpoint(f'{url}/{good.name}')
    assert torch.equal(ckpt['state_dict']['w'], torch.arange(3.0))
    bad = serve / 'model_20261125-deadbeef.pth'
    bad.write_bytes(good.read_bytes())
    with pytest.raises(RuntimeError, match='invalid hash'):
        CheckpointLoader.load_checkpoint(f'{url}/{bad.name}')
    cached = list(Path(tmp_path / 'torch_home').rglob('*deadbeef*'))
    assert cached == []
