"""tools/analysis/gpu_check.sh (the one-call GPU check) run here on the CPU.

The script is meant for the GPU machine; with ``GPU_CHECK_DEVICE=cpu`` and a tiny
config its stages run the same commands, so what it writes, how it skips stages
at its budget and how it reports a failed kernel build are tested here.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.test_apis.test_official_benchmark import TINY as HINT_TINY
from tests.test_apis.test_official_benchmark import make_checkout

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / 'tools' / 'analysis' / 'gpu_check.sh'
TINY = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'

pytestmark = pytest.mark.skipif(
    shutil.which('bash') is None or shutil.which('timeout') is None,
    reason='needs bash and coreutils timeout',
)


def run_check(out: Path, stages: str, budget: int = 300, **env: str):
    """Run the script with the CPU, the tiny HINT and ``stages``; its summary."""
    full = dict(os.environ, GPU_BUNDLE=str(out.parent / 'no_bundle'))
    full.update(
        PYTHON=sys.executable,
        GPU_CHECK_DEVICE='cpu',
        GPU_CHECK_MODELS=f'tiny_hint={TINY}',
        GPU_CHECK_SHAPE='64',
        GPU_CHECK_RUNS='1',
        GPU_CHECK_WARMUP='0',
        GPU_CHECK_SECONDS=str(budget),
        GPU_CHECK_STAGES=stages,
    )
    full.update(env)
    proc = subprocess.run(
        ['bash', str(SCRIPT), str(out)],
        env=full,
        capture_output=True,
        text=True,
        timeout=budget + 60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return (out / 'summary.txt').read_text()


@pytest.mark.slow
def test_stages_write_their_records(tmp_path):
    out = tmp_path / 'out'
    summary = run_check(out, 'env pytest fp32 bf16')
    assert 'tiny_hint fp32: ok' in summary
    assert 'tiny_hint bf16: ok' in summary
    assert 'pytest -m gpu (pytest_gpu.log): ok' in summary
    assert 'torch' in (out / 'env.txt').read_text()
    fp32 = json.loads((out / 'tiny_hint_fp32.json').read_text())
    bf16 = json.loads((out / 'tiny_hint_bf16.json').read_text())
    assert fp32[0]['height'] == 64
    assert fp32[0]['device'] == 'cpu'
    assert fp32[0]['median_s'] > 0
    assert fp32[0]['gflops'] > 0  # the fp32 rows count the MACs
    assert bf16[0]['gflops'] is None
    assert bf16[0]['precision'] == 'bf16 autocast'
    assert bf16[0]['max_abs_err_vs_fp32'] > 0
    # the gpu-marked tests were collected (and skip without CUDA)
    assert 'skipped' in (out / 'pytest_gpu.log').read_text()


@pytest.mark.slow
def test_official_stage_compares_with_a_checkout(tmp_path):
    repo = make_checkout(tmp_path / 'HINT')
    out = tmp_path / 'out'
    summary = run_check(
        out,
        'official',
        GPU_CHECK_OFFICIAL=f'hint={repo}',
        GPU_CHECK_SHAPE='32',
        GPU_CHECK_OFFICIAL_KWARGS=json.dumps(HINT_TINY),
    )
    assert 'official hint: ok' in summary
    assert 'speedup:' in summary
    record = json.loads((out / 'official_hint.json').read_text())
    assert record['max_abs_diff'] < 1e-6
    assert record['kwargs']['dim'] == HINT_TINY['dim']


def test_outputs_packed_for_the_device_tool(tmp_path):
    out = tmp_path / 'out'
    summary = run_check(out, 'env', GPU_CHECK_PACK='1')
    assert 'env: torch' in summary
    assert sorted(p.name for p in out.iterdir()) == ['results.tar.gz', 'summary.txt']
    with tarfile.open(out / 'results.tar.gz') as tar:
        assert 'env.txt' in [Path(n).name for n in tar.getnames()]


@pytest.mark.parametrize(
    ('stages', 'budget', 'expected'),
    [
        # past the budget
        ('fp32 compile', 10, ['tiny_hint fp32: skipped', 'tiny_hint compile: skipped']),
        # no sdists: no build started, so the mamba stage must not wait for one
        (
            'build mamba',
            120,
            [
                'build: skipped (no sdists',
                'mamba: skipped (build not finished or failed',
            ],
        ),
    ],
)
def test_stages_that_cannot_run_are_skipped_at_once(tmp_path, stages, budget, expected):
    start = time.monotonic()
    summary = run_check(tmp_path / 'out', stages, budget=budget)
    for line in expected:
        assert line in summary
    assert time.monotonic() - start < 30


def test_failed_kernel_build_is_reported(tmp_path):
    bundle = tmp_path / 'bundle'
    (bundle / 'sdists').mkdir(parents=True)
    for name in ('mamba_ssm-0.0.0.tar.gz', 'causal_conv1d-0.0.0.tar.gz'):
        (bundle / 'sdists' / name).write_bytes(b'not a tarball')
    out = tmp_path / 'out'
    summary = run_check(out, 'build mamba', budget=120, GPU_BUNDLE=str(bundle))
    assert 'build: mamba-ssm + causal-conv1d started' in summary
    assert 'mamba: skipped (build not finished or failed' in summary
    assert (out / 'mamba_build.rc').read_text().strip() not in ('', '0')
