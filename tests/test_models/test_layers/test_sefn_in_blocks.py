"""SEFN gets the block's raw input as ``spatial`` in every block with an FFN slot.

Audit defect 7: ``HybridBlock``, ``SandwichBlock`` and ``ConformerBlock`` called
SEFN without ``spatial``, so a hybrid with SEM-Net's FFN ran a different FFN.
"""

import pytest
import torch

from inpaintzoo.models.layers.sefn import SEFN
from inpaintzoo.registry import MODELS


@pytest.mark.parametrize(
    'block',
    ['HybridBlock', 'SandwichBlock', 'ConformerBlock', 'AttnFFNBlock', 'SEMBlock'],
)
@pytest.mark.parametrize('grad', [True, False])
def test_sefn_gets_the_block_input(block, grad, monkeypatch):
    seen = []
    forward = SEFN.forward

    def spy(self, x, spatial=None, residual=None):
        seen.append(spatial)
        return forward(self, x, spatial=spatial, residual=residual)

    monkeypatch.setattr(SEFN, 'forward', spy)
    torch.manual_seed(0)
    net = MODELS.build(dict(type=block, dim=8, num_heads=2, ffn=dict(type='SEFN')))
    assert net.size_divisor % 2 == 0  # SEFN pools 2x2
    x = torch.randn(2, 8, 8, 8)
    with torch.set_grad_enabled(grad):
        out = net(x)
    assert out.shape == x.shape
    calls = 2 if block in ('SandwichBlock', 'ConformerBlock') else 1
    assert len(seen) == calls
    assert all(s is x for s in seen)
