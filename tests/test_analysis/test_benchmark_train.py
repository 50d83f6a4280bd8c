"""tools/analysis/benchmark_train.py and apis.benchmark_train on tiny models."""

import json
import runpy
import sys
from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope

from inpaintzoo.apis.benchmark_train import (
    benchmark_train_case,
    load_train_config,
    parse_with_cp,
    random_batch,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis' / 'benchmark_train.py'
#: the paper MxT recipe (L1, VGG perceptual + style, lsgan) with a tiny generator
MXT = 'configs/mxt/mxt_celebahq.py'
SMALL = [
    'model.generator.dim=4',
    'model.generator.num_blocks=[1,1,1,1]',
    'model.generator.num_heads=[1,1,1,1]',
]
NCLG_TINY = 'configs/nclg/nclg-tiny_1xb4-300_demo-face-64x64.py'


def run_tool(args: list[str], monkeypatch) -> int:
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, 'argv', ['benchmark_train.py', *args])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(TOOL), run_name='__main__')
    return exit_info.value.code


@pytest.mark.slow
def test_tool_times_both_cases_in_fresh_processes(tmp_path, monkeypatch, capsys):
    out = tmp_path / 'train.json'
    args = [MXT, '--shape', '32', '32', '--iters', '2', '--threads', '1']
    args += ['--out', str(out), '--cfg-options', *SMALL]
    assert run_tool(args, monkeypatch) == 0
    printed = capsys.readouterr().out
    records = json.loads(out.read_text())
    assert [r['with_cp'] for r in records] == [False, True]
    for r in records:
        assert len(r['times_s']) == 2
        assert r['median_s'] == r['times_s'][1] > 0
        assert r['median_cpu_s'] == r['cpu_times_s'][1] > 0
        assert 0 < r['start_mib'] <= r['peak_mib']
        assert (r['batch'], r['height'], r['width'], r['threads']) == (1, 32, 32, 1)
        assert r['gen_params'] > 0
        assert r['disc_params'] > 0
    assert '| config | with_cp |' in printed
    assert '| mxt_celebahq.py | False | 1x32x32 | 1 |' in printed
    assert '| median CPU s/iter |' in printed
    assert '| mxt_celebahq.py | True | 1x32x32 | 1 |' in printed
    assert 'peak RSS of the case process' in printed


def test_config_gets_with_cp_and_an_offline_vgg():
    cfg = load_train_config(str(REPO / MXT), [True, False, False, True])
    losses = cfg.model.losses
    assert losses.perceptual.feature_net.weights is None
    assert losses.style.feature_net.weights is None
    assert cfg.model.generator.with_cp == [True, False, False, True]
    init_default_scope('inpaintzoo')
    gen = MODELS.build(
        dict(cfg.model.generator, dim=4, num_blocks=[1, 1, 1, 1], num_heads=[1] * 4)
    )
    assert gen.with_cp == (True, False, False, True)


def test_nclg_case_has_landmarks_and_checkpoints():
    batch = random_batch((64, 48), 2, 68, seed=3)
    assert [tuple(t.shape) for t in batch['inputs']['landmarks']] == [(68, 2)] * 2
    mask = batch['inputs']['mask'][0]
    assert mask.shape == (1, 64, 48)
    assert 0 < mask.mean() < 1
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert batch['inputs']['img'][0].dtype == torch.uint8
    result = benchmark_train_case(
        str(REPO / NCLG_TINY), with_cp=['middle'], shape=(64, 64), iters=2
    )
    assert result.with_cp == ['middle']
    assert len(result.times_s) == 2


def test_bad_values_are_user_errors(tmp_path, monkeypatch, capsys):
    assert parse_with_cp('off') is False
    assert parse_with_cp('ON') is True
    assert parse_with_cp('[True,False,False,True]') == [True, False, False, True]
    with pytest.raises(ConfigError, match='literal'):
        parse_with_cp('maybe')
    with pytest.raises(ConfigError, match='iters must be >= 2'):
        benchmark_train_case(str(REPO / NCLG_TINY), iters=1)
    args = [MXT, '--shape', '16', '16', '--with-cp', '[1,0,0,0]']
    assert run_tool([*args, '--cfg-options', *SMALL], monkeypatch) == 2
    err = capsys.readouterr().err
    assert 'error: benchmark case with_cp=[1, 0, 0, 0]: InpaintUNet.with_cp' in err
    assert 'Traceback' not in err
