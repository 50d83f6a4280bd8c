"""Official-code benchmark: a stand-in checkout, same weights, errors naming the cause.

The stand-in ``networks.py`` is written by the test (no official code here): its
``HINT`` holds our tiny generator, exposes official state-dict keys through
``to_official`` and, like the official mask-aware down-sampler, calls ``.cuda()``
on a buffer, so it only runs on a CPU with the worker's patch. The MxT stand-in
imports a stand-in ``mamba_ssm`` (also written here) whose scan module imports the
compiled ``selective_scan_cuda`` and whose ``Mamba`` layer refuses to run unless
the worker's CPU patches (reference scan, no fused path, no causal-conv1d) are in
place.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from inpaintzoo.apis.official_benchmark import benchmark_against_official
from inpaintzoo.apis.official_code import (
    cuda_calls_stay_on_cpu,
    find_official_module,
    load_official_class,
    mamba_ssm_on_cpu,
    use_reference_scan,
)
from inpaintzoo.apis.official_recipes import (
    hint_official_inputs,
    mamba_official_inputs,
)
from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import (
    ConfigError,
    MissingDependencyError,
    UntrustedPathError,
)

TINY = dict(dim=8, num_blocks=[1, 1, 1, 1], heads=[2, 2, 4, 4])
ROOT = Path(__file__).resolve().parents[2]

STAND_IN = """
import torch
from torch import nn
from inpaintzoo.models.converters import official_kwargs_to_config, to_official
from inpaintzoo.registry import MODELS
import inpaintzoo.models  # noqa: F401

OFFSET = {offset}


class HINT(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.inner = MODELS.build(official_kwargs_to_config('hint', kwargs))

    def state_dict(self, *args, **kwargs):
        return to_official(self.inner.state_dict(), 'hint')

    def forward(self, inp_img, mask_whole, mask_half, mask_quarter, mask_tiny):
        buffer = torch.zeros(1).cuda()  # as the official down-sampler's buffer
        return self.inner(inp_img, mask_whole) + buffer + OFFSET
"""


def make_checkout(folder: Path, offset: float = 0.0, body: str | None = None) -> Path:
    folder.mkdir(mode=0o755)
    (folder / 'networks.py').write_text(body or STAND_IN.format(offset=offset))
    return folder


def run(repo: Path, **kwargs):
    options = dict(shape=(32, 32), threads=1, runs=2, rounds=1, kwargs=TINY)
    return benchmark_against_official('hint', repo, log=None, **{**options, **kwargs})


@pytest.mark.slow
def test_times_both_sides_on_the_same_weights(tmp_path):
    result = run(make_checkout(tmp_path / 'HINT'))
    assert len(result.official_s) == len(result.ours_s) == 2
    assert all(t > 0 for t in result.official_s + result.ours_s)
    assert result.max_abs_diff < 1e-6  # same function, same weights
    assert result.speedup == pytest.approx(
        result.official_median_s / result.ours_median_s
    )
    record = result.to_dict()
    assert record['kwargs']['dim'] == 8
    assert record['shape'] == (32, 32)
    assert 'speedup:' in result.lines()[-1]
    assert result.keep_freed_memory is False  # not asked for: glibc's defaults


@pytest.mark.slow
def test_outputs_that_differ_stop_the_run(tmp_path):
    with pytest.raises(ConfigError, match=r'differ by 0\.01'):
        run(make_checkout(tmp_path / 'HINT', offset=0.01))


def test_refuses_a_checkout_others_can_write(tmp_path):
    repo = make_checkout(tmp_path / 'HINT')
    os.chmod(repo, 0o777)
    with pytest.raises(UntrustedPathError, match='writable by group/others'):
        find_official_module(repo, 'hint')
    os.chmod(repo, 0o755)
    os.chmod(repo / 'networks.py', 0o666)
    with pytest.raises(UntrustedPathError, match='official code file'):
        find_official_module(repo, 'hint')


def test_names_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match='is not a folder'):
        find_official_module(tmp_path / 'nowhere', 'hint')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match=r'src/networks\.py'):
        find_official_module(tmp_path / 'empty', 'hint')
    with pytest.raises(ConfigError, match="supported: \\['hint', 'mxt', 'sem_net'\\]"):
        find_official_module(tmp_path, 'restormer')
    with pytest.raises(ConfigError, match='multiples of 8'):
        run(tmp_path, shape=(36, 32))


@pytest.mark.slow
def test_worker_errors_reach_the_caller(tmp_path):
    repo = make_checkout(tmp_path / 'a', body='import not_a_package_xyz\n')
    with pytest.raises(MissingDependencyError, match='not_a_package_xyz'):
        run(repo)
    repo = make_checkout(tmp_path / 'b', body='class Other:\n    pass\n')
    with pytest.raises(ConfigError, match="no class 'HINT'"):
        run(repo)


def test_cuda_patch_is_scoped():
    original = torch.Tensor.cuda
    with cuda_calls_stay_on_cpu():
        if not torch.cuda.is_available():
            x = torch.ones(2)
            assert x.cuda() is x
    assert torch.Tensor.cuda is original


def test_official_inputs():
    image = torch.rand(1, 3, 16, 24)
    mask = torch.zeros(1, 1, 16, 24)
    mask[..., 4:12, 8:16] = 1
    inp, whole, half, quarter, tiny = hint_official_inputs(image, mask)
    assert torch.equal(inp[mask.expand_as(inp) > 0], torch.ones(3 * 64))
    assert torch.equal(inp * (1 - mask), image * (1 - mask))
    assert whole is mask
    assert [t.shape[-2:] for t in (half, quarter, tiny)] == [(8, 12), (4, 6), (2, 3)]


@pytest.mark.slow
def test_command_line(tmp_path):
    repo = make_checkout(tmp_path / 'HINT')
    out = tmp_path / 'r.json'
    cmd = [
        sys.executable,
        str(ROOT / 'tools/analysis/benchmark_official.py'),
        '--arch=hint',
        f'--official-repo={repo}',
        '--shape',
        '32',
        '32',
        '--threads=1',
        '--runs=1',
        '--rounds=1',
        f'--official-kwargs={json.dumps(TINY)}',
        f'--out={out}',
        '--keep-freed-memory',  # the tests' environment turns the default off
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert 'speedup:' in proc.stdout
    record = json.loads(out.read_text())
    assert record['max_abs_diff'] < 1e-6
    # both worker processes kept freed memory (where the C library is glibc)
    assert record['keep_freed_memory'] is freed_memory.is_glibc()
    bad = subprocess.run(
        [*cmd[:3], f'--official-repo={tmp_path}/none', *cmd[4:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith('error: ')


MXT_TINY = dict(
    dim=4, num_blocks=[1, 1, 1, 1], num_refinement_blocks=1, heads=[2, 2, 4, 4]
)

MAMBA_STAND_IN = {
    '__init__.py': 'from mamba_ssm.modules.mamba_simple import Mamba\n',
    'ops/__init__.py': '',
    'ops/selective_scan_interface.py': """
import selective_scan_cuda  # the compiled CUDA scan, as in mamba-ssm


def selective_scan_fn(*args, **kwargs):
    raise RuntimeError('the CUDA scan was called')


def selective_scan_ref(*args, **kwargs):
    return 'reference scan'
""",
    'modules/__init__.py': '',
    'modules/mamba_simple.py': """
from torch import nn

from mamba_ssm.ops.selective_scan_interface import selective_scan_fn

causal_conv1d_fn = 'compiled causal conv'


class Mamba(nn.Module):
    def __init__(self):
        super().__init__()
        self.use_fast_path = True

    def forward(self, x):
        from mamba_ssm.modules import mamba_simple as here

        if self.use_fast_path or here.causal_conv1d_fn is not None:
            raise RuntimeError('fused path or causal-conv1d still on')
        if here.selective_scan_fn() != 'reference scan':
            raise RuntimeError('not the reference scan')
        return x
""",
}

MXT_STAND_IN = """
import torch
from torch import nn
from mamba_ssm import Mamba
from inpaintzoo.models.converters import official_kwargs_to_config, to_official
from inpaintzoo.registry import MODELS
import inpaintzoo.models  # noqa: F401


class MxT(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.dim = kwargs['dim']
        self.inner = MODELS.build(official_kwargs_to_config('mxt', kwargs))
        self.mamba = Mamba()

    def state_dict(self, *args, **kwargs):
        return to_official(self.inner.state_dict(), 'mxt')

    def forward(self, inp_img, mask_whole, mask_half, mask_quarter, mask_tiny,
                pos1, pos2, pos3, pos4, pos1_dec, o256, o128, o64, o32):
        tokens = inp_img.shape[-2] * inp_img.shape[-1]
        d = self.dim
        assert pos1.shape == (tokens, d) and pos4.shape == (tokens // 64, 8 * d)
        assert pos1_dec.shape == (tokens, 2 * d) and o32.shape == (tokens // 64,)
        return self.mamba(self.inner(inp_img, mask_whole))
"""


@pytest.fixture
def mamba_stand_in(tmp_path, monkeypatch):
    """A stand-in mamba_ssm importable by the worker processes."""
    site = tmp_path / 'site'
    for name, text in MAMBA_STAND_IN.items():
        path = site / 'mamba_ssm' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    path = os.pathsep.join([str(site), os.environ.get('PYTHONPATH', '')])
    monkeypatch.setenv('PYTHONPATH', path)
    return site


def test_mamba_official_inputs():
    image, mask = torch.rand(1, 3, 16, 24), torch.zeros(1, 1, 16, 24)
    args = mamba_official_inputs(image, mask, dict(dim=4), orders=True)
    assert len(args) == 14
    tables, orders = args[5:10], args[10:]
    assert [tuple(t.shape) for t in tables] == [
        (384, 4),
        (96, 8),
        (24, 16),
        (6, 32),
        (384, 8),
    ]
    assert [o.tolist() for o in orders] == [list(range(n)) for n in (384, 96, 24, 6)]
    # the official float32 sinusoid: pe[p, 2i] = sin(p * exp(2i * -ln(1e4) / d))
    pos = torch.arange(96, dtype=torch.float32)[:, None]
    omega = torch.exp(
        torch.arange(0, 8, 2, dtype=torch.float32) * (-9.210340371976184 / 8)
    )
    assert torch.equal(tables[1][:, 0::2], torch.sin(pos * omega))
    assert torch.equal(tables[1][:, 1::2], torch.cos(pos * omega))
    assert len(mamba_official_inputs(image, mask, dict(dim=4))) == 10  # SEM-Net


@pytest.mark.skipif(torch.cuda.is_available(), reason='patches apply without CUDA')
def test_mamba_patches_are_scoped_and_named():
    assert 'selective_scan_cuda' not in sys.modules
    with mamba_ssm_on_cpu():
        import selective_scan_cuda  # noqa: F401
    assert 'selective_scan_cuda' not in sys.modules
    if importlib.util.find_spec('mamba_ssm') is None:
        with pytest.raises(MissingDependencyError, match='MAMBA_SKIP_CUDA_BUILD=TRUE'):
            use_reference_scan(torch.nn.Linear(1, 1))


@pytest.mark.skipif(
    importlib.util.find_spec('mamba_ssm') is not None, reason='mamba_ssm installed'
)
def test_missing_mamba_ssm_names_the_cpu_install(tmp_path):
    repo = make_checkout(tmp_path / 'MxT', body='from mamba_ssm import Mamba\n')
    with pytest.raises(MissingDependencyError, match='MAMBA_SKIP_CUDA_BUILD=TRUE pip'):
        load_official_class(repo / 'networks.py', 'MxT')


def run_mxt(repo: Path):
    options = dict(shape=(16, 16), threads=1, runs=1, rounds=1, kwargs=MXT_TINY)
    return benchmark_against_official('mxt', repo, log=None, **options)


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU patches are tested')
def test_mxt_official_runs_the_reference_scan(tmp_path, mamba_stand_in):
    # the stand-in Mamba layer raises unless every CPU patch is in place
    repo = make_checkout(tmp_path / 'MxT', body=MXT_STAND_IN)
    result = run_mxt(repo)
    assert result.max_abs_diff < 1e-6
    assert result.kwargs['num_refinement_blocks'] == 1
    # code that builds no mamba_ssm layer is not the official Mamba model
    no_mamba = 'self.mamba = nn.Identity()'
    (repo / 'networks.py').write_text(
        MXT_STAND_IN.replace('self.mamba = Mamba()', no_mamba)
    )
    with pytest.raises(ConfigError, match='builds no mamba_ssm Mamba layer'):
        run_mxt(repo)
