"""One training iteration equals the official one (``shared/reference/*_train_step``).

Each fixture run builds the arch's training config at the fixture's width, loads
the official weights before the step, runs ``train_step`` once in float64 and
compares weights (HINT: D too, spectral-norm u/v included), gradients, output and
every loss with the official iteration at 1e-10.
"""

import pytest
import torch

from inpaintzoo.apis.train_step_check import (
    VGG19_SHA256,
    Check,
    check_train_step,
    compare_tensors,
    seeded_vgg19_features,
    tensors_sha256,
)
from inpaintzoo.models.losses import gram_matrix


@pytest.mark.slow
@pytest.mark.parametrize('arch', ['hint', 'mxt', 'sem_net'])
def test_train_step_matches_official(reference_dir, arch):
    checks = check_train_step(arch, reference_dir / f'{arch}_train_step', atol=1e-10)
    failed = [f'{c.name}: {c.max_abs_diff:.3e}' for c in checks if not c.passed]
    assert not failed, failed
    names = ' '.join(c.name for c in checks)
    for part in ('generator after the step', 'generator gradients', 'output'):
        assert part in names
    for loss in ('adv_g', 'l1', 'perceptual', 'style', 'g', 'd'):
        assert f'loss {loss} ' in names
    if arch == 'hint':  # only the HINT fixture pins D's update
        assert 'discriminator after the step' in names


def test_seeded_vgg19_is_the_fixtures_and_keeps_the_rng():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    state = seeded_vgg19_features()
    assert torch.equal(torch.rand(3), expected)  # caller's RNG untouched
    assert tensors_sha256(state) == VGG19_SHA256
    assert state['0.weight'].shape == (64, 3, 3, 3)
    assert state['34.weight'].dtype == torch.float32


def test_gram_matrix_keeps_float64():
    """A float32 Gram moved the float64 HINT step by 4.5e-11 (style loss 2.7e-12)."""
    feat = torch.rand(2, 3, 5, 5, dtype=torch.float64) + 1e-9
    f = feat.reshape(2, 3, 25)
    expected = torch.bmm(f, f.transpose(1, 2)) / 75
    gram = gram_matrix(feat)
    assert gram.dtype == torch.float64
    assert torch.equal(gram, expected)
    assert gram_matrix(feat.half()).dtype == torch.float32


def test_compare_tensors_names_worst_key_and_one_sided_keys():
    ref = {'a': torch.zeros(2), 'b': torch.ones(2)}
    check = compare_tensors(
        'x', {'a': torch.zeros(2), 'b': torch.ones(2) * 1.5}, ref, 1e-10
    )
    assert isinstance(check, Check)
    assert check.max_abs_diff == 0.5
    assert 'worst b' in check.name
    assert not check.passed
    # a gradient only one side has: fine if all zero, a failure otherwise
    assert compare_tensors('g', {'a': torch.zeros(2)}, {}, 0.0).passed
    assert not compare_tensors('g', {'a': torch.ones(2)}, {}, 0.0).passed
    assert not compare_tensors('g', {}, ref, 0.0).passed
    assert not compare_tensors(
        'g', {'b': torch.ones(3)}, {'b': torch.ones(2)}, 1
    ).passed
