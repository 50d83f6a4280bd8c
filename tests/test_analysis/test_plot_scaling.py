"""tools/analysis/plot_scaling.py: exponent fit, failure records, replot, tiny sweep."""

import json
import subprocess

import pytest

from inpaintzoo.apis import scaling
from inpaintzoo.apis.scaling import (
    ScalingRecord,
    fit_exponent,
    run_scaling_case,
    size_options,
)
from inpaintzoo.apis.scaling_plot import exponents, scaling_table
from inpaintzoo.utils import freed_memory
from inpaintzoo.utils.errors import ConfigError

from .test_analysis_tools import run_tool

HINT_TINY = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def test_fit_exponent_recovers_synthetic_powers():
    pixels = [128**2, 256**2, 512**2, 1024**2]
    assert fit_exponent(pixels, [3e-6 * p for p in pixels]) == pytest.approx(1.0)
    assert fit_exponent(pixels, [1e-9 * p**2 for p in pixels]) == pytest.approx(2.0)
    assert fit_exponent(pixels, [0.1 + 1e-7 * p for p in pixels]) < 1.0
    with pytest.raises(ConfigError, match='two distinct sizes'):
        fit_exponent([64], [1.0])


def test_nclg_gets_its_input_size_and_others_nothing():
    assert size_options('NCLG-MT', 'configs/nclg/x.py', 512) == {
        'model.generator.input_size': 512
    }
    assert size_options('HINT', 'configs/hint/x.py', 512) == {}


def _fake_run(returncode: int, stderr: str):
    def run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, returncode, '', stderr)

    return run


def test_out_of_memory_and_timeout_become_records(monkeypatch):
    oom = "RuntimeError: DefaultCPUAllocator: can't allocate memory: you tried"
    monkeypatch.setattr(scaling.subprocess, 'run', _fake_run(1, oom))
    record = run_scaling_case('HINT', HINT_TINY, 64)
    assert record.status == 'oom'
    assert 'allocate' in record.message
    monkeypatch.setattr(scaling.subprocess, 'run', _fake_run(1, 'ValueError: bad'))
    assert run_scaling_case('HINT', HINT_TINY, 64).status == 'error'

    def too_slow(cmd, **kwargs):
        raise subprocess.TimeoutExpired(cmd, kwargs['timeout'])

    monkeypatch.setattr(scaling.subprocess, 'run', too_slow)
    assert run_scaling_case('HINT', HINT_TINY, 64, timeout_s=1).status == 'timeout'


def test_replot_from_json_writes_png_and_exponent_table(tmp_path, monkeypatch, capsys):
    records = [
        ScalingRecord('lin', 'a.py', s, 'ok', median_s=1e-5 * s * s)
        for s in (128, 256, 512)
    ]
    records += [
        ScalingRecord('quad', 'b.py', s, 'ok', median_s=1e-9 * s**4) for s in (128, 256)
    ]
    records.append(ScalingRecord('quad', 'b.py', 512, 'oom', message='killed'))
    src = tmp_path / 'in.json'
    src.write_text(json.dumps([r.to_dict() for r in records]))
    png = tmp_path / 'out.png'
    args = ['--from-json', str(src), '--out-png', str(png)]
    assert run_tool('plot_scaling.py', args, monkeypatch) == 0
    assert png.read_bytes()[:8] == PNG_MAGIC
    printed = capsys.readouterr().out
    assert '| lin | 0.164 | 0.655 | 2.621 | 1.00 |' in printed
    assert '| quad | 0.268 | 4.295 | oom | 2.00 |' in printed
    assert 'linear (k < 1.15): lin' in printed
    assert exponents(records) == pytest.approx({'lin': 1.0, 'quad': 2.0})
    assert 'exponent k' in scaling_table(records)


@pytest.mark.slow
def test_tiny_sweep_in_subprocesses(tmp_path, monkeypatch, capsys):
    out_json, png = tmp_path / 's.json', tmp_path / 's.png'
    args = ['--config', f'tiny={HINT_TINY}', '--models', 'tiny', '--sizes', '16', '32']
    args += ['--runs', '1', '--warmup', '0', '--threads', '1']
    args += ['--out-json', str(out_json), '--out-png', str(png)]
    args += ['--keep-freed-memory']  # the tests' environment turns the default off
    assert run_tool('plot_scaling.py', args, monkeypatch) == 0
    rows = json.loads(out_json.read_text())
    assert [(r['model'], r['size'], r['status']) for r in rows] == [
        ('tiny', 16, 'ok'),
        ('tiny', 32, 'ok'),
    ]
    assert all(r['median_s'] > 0 and r['peak_mib'] > 0 for r in rows)
    # each case process kept freed memory (where the C library is glibc)
    assert all(r['keep_freed_memory'] is freed_memory.is_glibc() for r in rows)
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert '| tiny |' in capsys.readouterr().out
