"""Generators seeded from numpy's global RNG, different on every rank.

MMEngine seeds numpy's global RNG with the same seed on every rank
(``randomness.diff_rank_seed=False``, the default). Its ``worker_init_fn`` then
reseeds each dataloader worker with ``num_workers * rank + worker_id + seed``, so
workers of different ranks draw differently. Data loaded in the main process
(``num_workers=0``) gets no such offset: every rank would draw the same random
masks and blur kernels for its different images. :func:`global_generator` mixes
the rank in there, as ``worker_init_fn`` does in the workers.
"""

import numpy as np
from mmengine.dist import get_rank
from torch.utils.data import get_worker_info


def main_process_rank() -> int:
    """The distributed rank when called in the main process, else 0.

    Inside a dataloader worker the rank is already part of the worker's seed
    (MMEngine's ``worker_init_fn``), so 0 is returned there.
    """
    return get_rank() if get_worker_info() is None else 0


def global_generator(high: int) -> np.random.Generator:
    """A generator seeded by one ``np.random.randint(0, high)`` draw.

    The draw uses numpy's global RNG (seeded by MMEngine, replayed on resume).
    On rank 0, in one process and in any dataloader worker the generator is
    ``default_rng(draw)``, as before ranks were mixed in; in the main process of
    rank ``r > 0`` it is ``default_rng([draw, r])``.

    Args:
        high (int): exclusive upper bound of the seed draw.

    Returns:
        np.random.Generator: the generator for one sample.
    """
    draw = int(np.random.randint(0, high))  # noqa: NPY002 - global RNG on purpose
    rank = main_process_rank()
    return np.random.default_rng(draw if rank == 0 else [draw, rank])
