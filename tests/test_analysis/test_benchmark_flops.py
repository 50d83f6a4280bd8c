"""Matmul peak, GFLOP/s and numerics flags of the latency benchmark (tiny configs)."""

import json
from types import SimpleNamespace

import pytest
import torch

from inpaintzoo.apis import benchmark
from inpaintzoo.apis.benchmark import benchmark_generator
from inpaintzoo.apis.benchmark_numerics import (
    CompileError,
    main_output,
    output_error,
    precision_context,
)
from inpaintzoo.utils import matmul_peak as peak_module
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.matmul_peak import matmul_peak

from .test_analysis_tools import MXT_TINY, SMALL, run_tool

SMALL_OPTIONS = {
    'model.generator.dim': 4,
    'model.generator.num_blocks': [1, 1, 1, 1],
    'model.generator.num_heads': [1, 1, 1, 1],
}


def test_matmul_peak_reports_the_product_rate():
    peak = matmul_peak('fp32', n=64, runs=3)
    assert peak.n == 64
    assert peak.runs == 3
    assert peak.threads >= 1
    assert peak.best_gflops >= peak.median_gflops > 0
    assert peak.gflops == peak.best_gflops
    assert 'torch.mm' in peak.line()
    with pytest.raises(ConfigError, match='dtype must be one of'):
        matmul_peak('int8')


def test_matmul_peak_is_two_n_cubed_over_the_fastest_run(monkeypatch):
    ticks = iter([0.0, 10.0, 10.5, 20.0, 21.0, 30.0, 32.0])  # warm-up start, 3 runs

    clock = SimpleNamespace(perf_counter=lambda: next(ticks))
    monkeypatch.setattr(peak_module, 'time', clock)
    peak = matmul_peak('fp32', n=64, warmup=1, runs=3)
    assert peak.best_gflops == pytest.approx(2 * 64**3 / 0.5 / 1e9)
    assert peak.median_gflops == pytest.approx(2 * 64**3 / 1.0 / 1e9)


def test_latency_json_has_gflops_and_percent_of_peak(tmp_path, monkeypatch, capsys):
    out = tmp_path / 'latency.json'
    args = [MXT_TINY, '--device', 'cpu', '--shape', '32', '32', '--batch', '2']
    args += ['--warmup', '0', '--runs', '1', '--peak-n', '64', '--out', str(out)]
    assert run_tool('benchmark_latency.py', [*args, *SMALL], monkeypatch) == 0
    printed = capsys.readouterr().out
    assert 'matmul peak fp32' in printed
    assert '% of the fp32 matmul peak' in printed
    (row,) = json.loads(out.read_text())
    assert row['gmac'] > 0
    assert row['gflops'] == pytest.approx(2 * row['gmac'] / row['median_s'])
    assert row['pct_of_fp32_peak'] == pytest.approx(
        100 * row['gflops'] / row['matmul_peak_fp32_gflops']
    )
    # fp32 eager is the reference: nothing to compare with
    assert row['max_abs_err_vs_fp32'] is None
    assert row['precision'] == 'fp32'


def test_macs_are_counted_once_per_config_and_size(monkeypatch):
    calls = []
    real = benchmark.count_complexity

    def counting(gen, inputs):
        calls.append(tuple(inputs[0].shape))
        return real(gen, inputs)

    monkeypatch.setattr(benchmark, 'count_complexity', counting)
    monkeypatch.setattr(benchmark, '_MAC_CACHE', {})
    kwargs = dict(warmup=0, runs=1, cfg_options=SMALL_OPTIONS)
    one = benchmark_generator(MXT_TINY, shape=(32, 32), batch=1, **kwargs)
    two = benchmark_generator(MXT_TINY, shape=(32, 32), batch=2, **kwargs)
    assert calls == [(1, 3, 32, 32)]
    assert two.macs == 2 * one.macs > 0


def test_bf16_autocast_keeps_fp32_weights_and_reports_its_error():
    result = benchmark_generator(
        MXT_TINY,
        shape=(32, 32),
        dtype='bf16',
        warmup=0,
        runs=1,
        cfg_options=SMALL_OPTIONS,
        count_macs=False,
    )
    assert result.precision == 'bf16 autocast'
    assert 0 < result.max_abs_err < 0.2
    assert result.psnr_db is not None
    assert 25 < result.psnr_db < 120
    layer = torch.nn.Linear(4, 4)
    with precision_context('bf16', cast_weights=False, device='cpu'):
        assert layer(torch.rand(2, 4)).dtype == torch.bfloat16
    assert layer.weight.dtype == torch.float32
    with precision_context('bf16', cast_weights=True, device='cpu'):
        assert layer(torch.rand(2, 4)).dtype == torch.float32


def test_cast_weights_is_the_old_bf16_behaviour():
    result = benchmark_generator(
        MXT_TINY,
        shape=(32, 32),
        dtype='bf16',
        cast_weights=True,
        warmup=0,
        runs=1,
        cfg_options=SMALL_OPTIONS,
        count_macs=False,
    )
    assert result.precision == 'bf16 weights'
    assert result.max_abs_err > 0


#: one compiled forward of the tiny MxT, no warm-up, no MAC count
COMPILED_ONCE = dict(
    shape=(32, 32),
    compile=True,
    warmup=0,
    runs=1,
    cfg_options=SMALL_OPTIONS,
    count_macs=False,
)


def test_compile_failure_is_one_clear_error(monkeypatch):
    def broken(gen):
        def forward(*inputs):
            raise RuntimeError('InductorError: no C++ compiler\nlong trace')

        return forward

    monkeypatch.setattr(benchmark, 'compile_generator', broken)
    with pytest.raises(CompileError, match=r'torch.compile could not compile.*C\+\+'):
        benchmark_generator(MXT_TINY, **COMPILED_ONCE)


def test_compile_path_times_the_first_call_and_compares(monkeypatch):
    monkeypatch.setattr(benchmark, 'compile_generator', lambda gen: gen)
    result = benchmark_generator(MXT_TINY, **COMPILED_ONCE)
    assert result.compiled
    assert result.compile_s > 0
    assert result.max_abs_err == 0
    assert result.psnr_db is None
    assert 'compiled' in result.line()
    assert 'PSNR inf' in result.line()


def test_output_error_and_main_output():
    ref = torch.zeros(1, 3, 4, 4)
    err = output_error(ref + 0.1, ref)
    assert err.max_abs == pytest.approx(0.1)
    assert err.psnr_db == pytest.approx(20.0)
    assert main_output((ref, torch.ones(1, 136))) is ref
    assert main_output({'image': ref}) is ref
