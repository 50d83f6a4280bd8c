"""tools/analysis/get_flops.py and benchmark_latency.py on tiny configs (in-process)."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / 'tools' / 'analysis'
MXT_TINY = 'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py'
SMALL = [
    '--cfg-options',
    'model.generator.dim=4',
    'model.generator.num_blocks=[1,1,1,1]',
    'model.generator.num_heads=[1,1,1,1]',
]


def run_tool(name: str, args: list[str], monkeypatch) -> int:
    """Run ``tools/analysis/<name>`` as ``__main__``; returns its exit status."""
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, 'argv', [name, *args])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(TOOLS / name), run_name='__main__')
    return exit_info.value.code


def test_get_flops_counts_the_scan(tmp_path, monkeypatch, capsys):
    out = tmp_path / 'flops.json'
    args = [MXT_TINY, '--shape', '32', '32', '--out', str(out), *SMALL]
    assert run_tool('get_flops.py', args, monkeypatch) == 0
    printed = capsys.readouterr().out
    assert 'GMac' in printed or 'MMac' in printed
    assert '| encoder1 |' in printed
    report = json.loads(out.read_text())
    assert report['by_operator']['selective_scan'] > 0
    assert report['macs'] == sum(report['by_operator'].values())
    assert report['macs'] == sum(report['by_stage'].values())
    assert report['params'] > 0
    assert report['peak_rss_mib'] > 0
    assert report['input_shapes'] == [[1, 3, 32, 32], [1, 1, 32, 32]]


def test_get_flops_missing_config_is_one_line(monkeypatch, capsys):
    assert run_tool('get_flops.py', ['nope.py'], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: config 'nope.py' not found: it is not a file")
    assert len(err.strip().splitlines()) == 1


def test_benchmark_latency_sweep_writes_json(tmp_path, monkeypatch):
    out = tmp_path / 'latency.json'
    args = [
        MXT_TINY,
        '--device',
        'cpu',
        '--shapes',
        '32',
        '32x48',
        '--batch-sizes',
        '1',
        '2',
        '--warmup',
        '0',
        '--runs',
        '1',
        '--no-peak',
        '--no-flops',
        '--out',
        str(out),
    ]
    assert run_tool('benchmark_latency.py', args, monkeypatch) == 0
    rows = json.loads(out.read_text())
    cases = [(r['height'], r['width'], r['batch']) for r in rows]
    assert cases == [(32, 32, 1), (32, 32, 2), (32, 48, 1), (32, 48, 2)]
    for row in rows:
        assert row['median_s'] > 0
        assert row['peak_mem_mb'] > 0
        assert row['images_per_s'] == pytest.approx(row['batch'] / row['median_s'])


def test_benchmark_latency_rejects_a_bad_size(monkeypatch, capsys):
    args = [MXT_TINY, '--shapes', '32by32']
    assert run_tool('benchmark_latency.py', args, monkeypatch) == 2
    assert 'HxW' in capsys.readouterr().err


def test_cpu_kernels_both_runs_each_mode_in_its_own_process(tmp_path):
    """``--cpu-kernels both``: off, on, on, off in fresh processes, a speedup line,
    and one JSON record per process (the modes differ: tiny HINT uses GDFN)."""
    out = tmp_path / 'both.json'
    hint_tiny = 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py'
    cmd = [sys.executable, str(TOOLS / 'benchmark_latency.py'), hint_tiny]
    cmd += ['--shape', '32', '32', '--runs', '1', '--no-peak', '--no-flops']
    cmd += ['--cpu-kernels=both', '--out', str(out), '--no-keep-freed-memory']
    env = dict(os.environ, INPAINTZOO_KEEP_FREED_MEMORY='on')  # the flag must win
    done = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'CPU fast paths (1x3x32x32):' in done.stdout
    assert done.stdout.count('(fresh process)') == 4
    assert 'process medians off' in done.stdout
    records = json.loads(out.read_text())
    assert [r['cpu_fast_paths'] for r in records] == ['off', 'off', 'on', 'on']
    # the setting not compared reaches every child as given
    assert [r['keep_freed_memory'] for r in records] == [False] * 4


def test_freed_memory_both_runs_each_setting_in_its_own_process(tmp_path):
    """``--freed-memory both``: the same four processes, each told its setting."""
    out = tmp_path / 'both.json'
    cmd = [sys.executable, str(TOOLS / 'benchmark_latency.py'), MXT_TINY]
    cmd += ['--shape', '32', '32', '--runs', '1', '--no-peak', '--no-flops']
    cmd += ['--no-keep-freed-memory', '--freed-memory', 'both', '--out', str(out)]
    cmd += ['--cpu-kernels', 'off']
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'Kept freed memory (1x3x32x32):' in done.stdout
    assert done.stdout.count('(fresh process)') == 4
    records = json.loads(out.read_text())
    assert [r['keep_freed_memory'] for r in records] == [False, False, True, True]
    # the setting not compared reaches every child as given
    assert [r['cpu_fast_paths'] for r in records] == ['off'] * 4


def test_one_comparison_at_a_time(monkeypatch, capsys):
    args = [MXT_TINY, '--cpu-kernels', 'both', '--freed-memory', 'both']
    assert run_tool('benchmark_latency.py', args, monkeypatch) == 2
    assert 'compare one setting at a time' in capsys.readouterr().err


def test_argv_without_drops_both_option_forms():
    tool = runpy.run_path(str(TOOLS / 'benchmark_latency.py'))
    argv = ['cfg.py', '--out', 'x.json', '--cpu-kernels=both', '--runs', '2']
    assert tool['_argv_without'](argv, ('--cpu-kernels', '--out')) == [
        'cfg.py',
        '--runs',
        '2',
    ]
    argv = ['cfg.py', '--keep-freed-memory', '--freed-memory', 'both', '--runs', '2']
    freed = tool['COMPARISONS']['freed_memory']
    assert tool['_argv_without'](argv, freed.options, freed.flags) == [
        'cfg.py',
        '--runs',
        '2',
    ]


def _kernel_source_unchanged() -> bool:
    """Whether the working tree's scan kernel source is HEAD's (a clean clone)."""
    diff = subprocess.run(
        [
            'git',
            '-C',
            str(REPO),
            'diff',
            '--quiet',
            'HEAD',
            '--',
            'inpaintzoo/models/ssm/csrc',
        ],
        check=False,
    )
    return diff.returncode == 0


def test_compare_scan_kernels_against_head(monkeypatch, capsys):
    """--base HEAD builds HEAD's kernel source and times it against the current
    library: the same source gives identical outputs, and the loader is restored."""
    from inpaintzoo.models.ssm import cpu_kernel, scan_fused

    if cpu_kernel.load_kernel() is None:
        pytest.skip('no fused CPU kernel here (no C compiler)')
    if not (REPO / '.git').exists() or not _kernel_source_unchanged():
        pytest.skip('needs a git checkout whose kernel source is committed')
    loader = scan_fused.load_kernel
    args = [
        '--base',
        'HEAD',
        '--length',
        '64',
        '--repeat',
        '1',
        '--threads',
        '1',
        '--configs',
        MXT_TINY,
        '--shape',
        '32',
        '32',
    ]
    assert run_tool('compare_scan_kernels.py', args, monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('base: HEAD')
    cases = [line for line in lines if 'max rel. diff' in line]
    assert [line.split()[0] for line in cases] == [
        'scan',
        'scan',
        'mxt-tiny_1xb4-300_demo-64x64',
    ]
    assert all(line.endswith('max rel. diff 0.0e+00') for line in cases)
    assert scan_fused.load_kernel is loader


def test_compare_scan_kernels_unknown_revision(monkeypatch, capsys):
    args = ['--base', 'no-such-revision', '--length', '64']
    assert run_tool('compare_scan_kernels.py', args, monkeypatch) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert '--base no-such-revision: no kernel source there' in err[0]
