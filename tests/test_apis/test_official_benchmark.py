"""Official-code benchmark: a stand-in checkout, same weights, errors naming the cause.

The stand-in ``networks.py`` is written by the test (no official code here): its
``HINT`` holds our tiny generator, exposes official state-dict keys through
``to_official`` and, like the official mask-aware down-sampler, calls ``.cuda()``
on a buffer, so it only runs on a CPU with the worker's patch.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from inpaintzoo.apis.official_benchmark import (
    benchmark_against_official,
    cuda_calls_stay_on_cpu,
    find_official_module,
    hint_official_inputs,
)
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
    with pytest.raises(ConfigError, match="supported: \\['hint'\\]"):
        find_official_module(tmp_path, 'mxt')
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
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert 'speedup:' in proc.stdout
    assert json.loads(out.read_text())['max_abs_diff'] < 1e-6
    bad = subprocess.run(
        [*cmd[:3], f'--official-repo={tmp_path}/none', *cmd[4:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith('error: ')
