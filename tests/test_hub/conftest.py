"""Fixtures of the hub tests: a private cache, a tiny zoo and a local HTTP server.

Nothing here touches the internet: the server listens on 127.0.0.1 only, and
``gdown`` / ``huggingface_hub`` are replaced by stand-ins at their call.
"""

import hashlib
import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.registry import MODELS

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / 'configs' / 'hint' / 'hint-tiny_1xb4-300_demo-64x64.py'


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def zoo_home(tmp_path, monkeypatch) -> Path:
    """A fresh ``INPAINTZOO_HOME`` (offline mode off)."""
    home = tmp_path / 'home'
    monkeypatch.setenv('INPAINTZOO_HOME', str(home))
    monkeypatch.delenv('INPAINTZOO_OFFLINE', raising=False)
    return home


@pytest.fixture(scope='session')
def tiny_generator() -> torch.nn.Module:
    """A randomly initialised generator of the tiny HINT demo config (1.5 M params)."""
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(str(TINY_CONFIG)).model.generator)


@pytest.fixture(scope='session')
def tiny_params(tiny_generator) -> int:
    """Parameter count of :func:`tiny_generator`."""
    return sum(p.numel() for p in tiny_generator.parameters())


@pytest.fixture(scope='session')
def official_bytes(tiny_generator) -> bytes:
    """A tiny "official" ``InpaintingModel_gen.pth`` (inverse key mapping)."""
    from inpaintzoo.models.converters import to_official

    buf = io.BytesIO()
    torch.save(
        {'iteration': 7, 'generator': to_official(tiny_generator.state_dict(), 'hint')},
        buf,
    )
    return buf.getvalue()


@pytest.fixture(scope='session')
def converted_bytes(tiny_generator) -> bytes:
    """A tiny converted generator as a ``.safetensors`` file (our published format)."""
    from safetensors.torch import save

    return save(
        {
            f'generator.{k}': v.contiguous()
            for k, v in tiny_generator.state_dict().items()
        }
    )


@dataclass
class Served:
    """What the local server serves and how, plus the requests it got."""

    files: dict[str, bytes] = field(default_factory=dict)
    #: path -> number of bytes after which the connection is cut (once)
    cut_after: dict[str, int] = field(default_factory=dict)
    #: honour ``Range`` requests
    ranges: bool = True
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base: str = ''

    def url(self, path: str) -> str:
        """Full URL of ``path`` on the server."""
        return self.base + path


def _handler(served: Served):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            rng = self.headers.get('Range')
            served.requests.append((self.path, rng))
            data = served.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            start = 0
            if rng and served.ranges:
                start = int(rng.split('=')[1].split('-')[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header('Content-Range', f'bytes */{len(data)}')
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header(
                    'Content-Range', f'bytes {start}-{len(data) - 1}/{len(data)}'
                )
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            cut = served.cut_after.pop(self.path, None)
            if cut is not None:  # announce everything, send part, hang up
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def http_server():
    """A :class:`Served` on a local ``ThreadingHTTPServer`` (127.0.0.1, free port)."""
    served = Served()
    server = ThreadingHTTPServer(('127.0.0.1', 0), _handler(served))
    served.base = f'http://127.0.0.1:{server.server_address[1]}'
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def tiny_zoo(tmp_path, monkeypatch, tiny_params):
    """Write a model index with tiny models and register it; returns a writer.

    ``tiny_zoo(name, weights=[...])`` adds a model ``name`` (tiny HINT config)
    whose ``Weights`` list is ``weights`` (metafile dicts).
    """
    import yaml

    folder = tmp_path / 'zoo'
    folder.mkdir()
    models: list[dict] = []

    def add(name: str, weights: list[dict], params: int | None = None) -> None:
        models.append(
            {
                'Name': f'{name}-config',
                'Alias': name,
                'In Collection': 'Tiny',
                'Config': str(TINY_CONFIG),
                'Metadata': {
                    'Architecture': 'hint',
                    'Training Data': 'demo',
                    'Parameters': tiny_params if params is None else params,
                },
                'Results': [
                    {
                        'Task': 'Image Inpainting',
                        'Dataset': 'demo',
                        'Mask Ratio': '0-100%',
                        'Metrics': {'PSNR': 1.0},
                    }
                ],
                'Weights': weights,
            }
        )
        meta = {
            'Collections': [{'Name': 'Tiny', 'Task': ['inpainting']}],
            'Models': models,
        }
        (folder / 'metafile.yml').write_text(yaml.safe_dump(meta, sort_keys=False))
        (folder / 'model-index.yml').write_text(
            yaml.safe_dump({'Import': ['metafile.yml']})
        )

    monkeypatch.setenv('INPAINTZOO_MODEL_INDEX', str(folder / 'model-index.yml'))
    return add
