"""MAC counting: hand counts, the Mamba scan, attention products, the two modes."""

import pytest
import torch
from mmengine.analysis import FlopAnalyzer
from torch import nn

from inpaintzoo.analysis import (
    count_complexity,
    generator_complexity,
    selective_scan_macs,
)
from inpaintzoo.models.layers.srsa import SRSA
from inpaintzoo.models.ssm import MambaBlock, set_scan_impl

TINY = {
    'hint': 'configs/hint/hint-tiny_1xb4-300_demo-64x64.py',
    'mxt': 'configs/mxt/mxt-tiny_1xb4-300_demo-64x64.py',
    'sem_net': 'configs/sem_net/sem-tiny_1xb4-300_demo-64x64.py',
}
# dim 4, one block per level: a generator traced in about a second
SMALL = {
    'model.generator.dim': 4,
    'model.generator.num_blocks': [1, 1, 1, 1],
    'model.generator.num_heads': [1, 1, 1, 1],
}


def small_mamba() -> MambaBlock:
    """d_model 8, N 4, d_conv 4, expand 2 (D_inner 16), dt_rank 1."""
    torch.manual_seed(0)
    return MambaBlock(8, d_state=4, d_conv=4, expand=2, dt_rank=1).eval()


# hand count of small_mamba() on u = (2, 10, 8): B = 2, L = 10, Di = 16, N = 4
HAND_MAMBA = {
    'in_proj': 2 * 10 * 8 * 32,  # d_model -> 2 Di
    'causal_conv1d': 2 * 10 * 16 * 4,  # d_conv taps per channel
    'x_proj': 2 * 10 * 16 * (1 + 2 * 4),  # Di -> dt_rank + 2N
    'dt_proj': 2 * 10 * 1 * 16,  # dt_rank -> Di
    'selective_scan': 2 * 10 * 16 * (5 * 4 + 3),  # 5 per state, 3 per channel
    'out_proj': 2 * 10 * 16 * 8,  # Di -> d_model
}


def test_scan_formula():
    assert selective_scan_macs(2, 10, 16, 4) == 2 * 10 * 16 * 23
    assert selective_scan_macs(1, 7, 3, 16, skip=False, gate=False) == 7 * 3 * 81


@pytest.mark.parametrize('mode', ['whole', 'units'])
def test_mamba_block_matches_hand_count(mode):
    report = count_complexity(small_mamba(), torch.rand(2, 10, 8), mode=mode)
    assert report.macs == sum(HAND_MAMBA.values()) == 19520
    ops = report.by_operator
    assert ops['selective_scan'] == HAND_MAMBA['selective_scan']
    assert ops['causal_conv1d'] == HAND_MAMBA['causal_conv1d']
    linear = ('in_proj', 'x_proj', 'dt_proj', 'out_proj')
    assert ops['linear'] == sum(HAND_MAMBA[k] for k in linear)
    # the opaque scan nodes are accounted for, not reported as missing
    assert not [op for op in report.unsupported_ops if 'PythonOp' in op]


def test_plain_mmengine_misses_the_scan():
    """What the issue reports: the trace alone counts only the projections."""
    analyzer = FlopAnalyzer(small_mamba(), (torch.rand(2, 10, 8),))
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    with torch.no_grad():
        assert analyzer.total() == 10880  # linears only: scan and conv are 0


@pytest.mark.parametrize('impl', ['chunked', 'reference'])
def test_count_does_not_depend_on_scan_backend(impl):
    """The chunked scan's einsum must not be counted on top of the formula."""
    u = torch.rand(2, 10, 8)
    set_scan_impl(impl)
    try:
        report = count_complexity(small_mamba(), u, mode='whole')
    finally:
        set_scan_impl(None)
    assert report.macs == 19520
    assert 'einsum' not in report.by_operator


def test_srsa_attention_matches_hand_count():
    n, c, h, w, pool = 1, 8, 16, 16, 4
    hw, p = h * w, pool * pool
    hand = {
        'qkv 1x1': hw * c * 3 * c,
        'qkv depth-wise 3x3': hw * 3 * c * 9,
        'lce depth-wise 3x3': hw * c * 9,
        'project_out 1x1': hw * c * c,
        'adaptive pools of k and v': 2 * c * hw,
        'q^T k and v A^T': 2 * hw * c * p,
    }
    report = count_complexity(
        SRSA(c, num_heads=2, pool_size=pool).eval(), torch.rand(n, c, h, w), 'whole'
    )
    assert report.by_operator['matmul'] == hand['q^T k and v A^T']
    assert report.macs == sum(hand.values()) == 208896


class _Products(nn.Module):
    """The attention-product forms mmengine 0.10.7 misses or miscounts."""

    def forward(self, q, k, v, w, x):
        sdpa = nn.functional.scaled_dot_product_attention(q, k, v)
        bmm = torch.baddbmm(torch.zeros(2, 4, 6), w, x)
        broadcast = x[0].t() @ q.transpose(-1, -2)  # (6, 5) @ (2, 3, 5, 7)
        return sdpa, bmm, broadcast


def test_attention_product_handles():
    q, k, v = torch.rand(2, 3, 7, 5), torch.rand(2, 3, 9, 5), torch.rand(2, 3, 9, 4)
    w, x = torch.rand(2, 4, 5), torch.rand(2, 5, 6)
    ops = count_complexity(_Products(), (q, k, v, w, x), mode='whole').by_operator
    assert ops['scaled_dot_product_attention'] == 2 * 3 * 7 * 9 * (5 + 4)
    assert ops['baddbmm'] == 2 * 4 * 5 * 6
    assert ops['matmul'] == 2 * 3 * 6 * 5 * 7  # mmengine's own handle says 210


@pytest.mark.parametrize(
    'model',
    [
        pytest.param('hint', marks=pytest.mark.slow),
        'mxt',
        pytest.param('sem_net', marks=pytest.mark.slow),
    ],
)
def test_units_mode_equals_whole_trace(model):
    """Per-block tracing (bounded memory) gives the whole trace's numbers."""
    units = generator_complexity(TINY[model], (32, 32), cfg_options=SMALL)
    whole = generator_complexity(TINY[model], (32, 32), cfg_options=SMALL, mode='whole')
    assert units.macs == whole.macs > 0
    assert units.by_operator == whole.by_operator
    for name in ('encoder1', 'encoder1.0', 'latent', 'decoder1', 'output'):
        assert units.by_module[name] == whole.by_module[name], name
    assert units.params == whole.params == units.params_by_module['']


def test_mxt_generator_counts_every_mamba_scan():
    report = generator_complexity(TINY['mxt'], (32, 32), cfg_options=SMALL)
    scans = {n: c['selective_scan'] for n, c in report.by_module.items()}
    # the MambaBlocks: modules with scan MACs and no descendant holding them
    blocks = [
        n
        for n, macs in scans.items()
        if n and macs and not any(k.startswith(f'{n}.') and scans[k] for k in scans)
    ]
    assert len(blocks) == 7  # one hybrid block per level, encoder + decoder
    # level 1 (32x32, dim 4 -> D_inner 8) of the encoder: 1024 steps, N 16
    (level1,) = [n for n in blocks if n.startswith('encoder1.')]
    assert scans[level1] == selective_scan_macs(1, 32 * 32, 8, 16)
    assert scans[''] == sum(scans[n] for n in blocks)
    assert report.by_module['encoder1.0']['matmul'] > 0  # SRSA's attention


def test_unknown_mode():
    with pytest.raises(ValueError, match='mode must be one of'):
        count_complexity(nn.Identity(), torch.rand(1), mode='fast')


def test_generator_complexity_takes_config_names_like_init_model(tmp_path, monkeypatch):
    """A name under configs/ works from any folder, as init_model takes it."""
    from inpaintzoo.utils.errors import ConfigNotFoundError

    first = generator_complexity(TINY['hint'], (16, 16), cfg_options=SMALL)
    monkeypatch.chdir(tmp_path)  # no configs/ here: only a package lookup finds it
    name = TINY['hint'].removeprefix('configs/')
    for given in (name, TINY['hint']):
        report = generator_complexity(given, (16, 16), cfg_options=SMALL)
        assert report.params == first.params > 0
        assert report.macs == first.macs > 0
        assert report.extra['config'].endswith(name)
    with pytest.raises(ConfigNotFoundError, match=r"config 'hint/nope\.py' not found"):
        generator_complexity('hint/nope.py', (16, 16))
