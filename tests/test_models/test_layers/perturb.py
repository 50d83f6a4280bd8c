"""Random parameter values for layer tests (also in constant-initialised tensors).

Zero biases, unit norms and zero-initialised output projections hide swapped
weights and missing branches; adding noise to every parameter makes them show.
"""

import torch


def perturb(
    module: torch.nn.Module, seed: int = 0, scale: float = 0.3
) -> torch.nn.Module:
    """Add ``scale * N(0, 1)`` noise (seeded) to every parameter, in place.

    Returns:
        torch.nn.Module: ``module`` itself.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(scale * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module
