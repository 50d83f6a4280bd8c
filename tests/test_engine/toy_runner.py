"""A Runner around a 3-parameter model: trains a few iterations in about a second.

Also a script for the kill -9 test: ``python toy_runner.py WORK_DIR HANG_AT_SAVE``
trains with ``max_keep_ckpts=1`` and, on save number ``HANG_AT_SAVE``, writes half
of the checkpoint, creates ``WORK_DIR/hanging`` and sleeps until it is killed.
"""

import sys
import time
import uuid
from pathlib import Path

import torch
from mmengine.model import BaseModel
from torch import Tensor, nn

if __name__ == '__main__':  # run as a script: make ``inpaintzoo`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from inpaintzoo.engine.runner import InpaintRunner


class ToyModel(BaseModel):
    """``inputs`` (N, 2) -> (N, 1); loss = mean squared output."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 1)

    def forward(
        self, inputs: Tensor, data_samples: None = None, mode: str = 'tensor'
    ) -> dict[str, Tensor] | Tensor:
        out = self.lin(inputs)
        return {'loss': out.pow(2).mean()} if mode == 'loss' else out


def toy_training(work_dir: str | Path, max_iters: int, name: str) -> dict:
    """Runner arguments shared by the toy runners: model, data, loop, optimiser."""
    data = [dict(inputs=torch.full((2,), float(i))) for i in range(8)]
    return dict(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=f'{name}_{uuid.uuid4().hex}',
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            collate_fn=dict(type='default_collate'),
        ),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
    )


def toy_runner(
    work_dir: str | Path,
    max_iters: int = 3,
    max_keep_ckpts: int = 1,
    resume: bool | str = False,
    hook_type: str = 'AtomicCheckpointHook',
) -> InpaintRunner:
    """An ``InpaintRunner`` saving ``iter_N.pth`` every iteration into ``work_dir``.

    ``resume``: ``True`` for auto-resume, a path to resume from it, ``False`` not.
    """
    return InpaintRunner(
        **toy_training(work_dir, max_iters, 'toy'),
        default_hooks=dict(
            checkpoint=dict(
                type=hook_type,
                interval=1,
                by_epoch=False,
                max_keep_ckpts=max_keep_ckpts,
            ),
            logger=dict(type='LoggerHook', interval=1),
        ),
        log_processor=dict(by_epoch=False),
        load_from=resume if isinstance(resume, str) else None,
        resume=bool(resume),
        default_scope='inpaintzoo',
    )


def _hang_on_save(work_dir: Path, hang_at: int) -> None:
    """Make save number ``hang_at`` write half its bytes, then hang."""
    from mmengine.fileio import LocalBackend

    original = LocalBackend.put
    calls = []

    def put(self: LocalBackend, obj: bytes, filepath: str | Path) -> None:
        calls.append(filepath)
        if len(calls) < hang_at:
            original(self, obj, filepath)
            return
        with open(filepath, 'wb') as f:
            f.write(obj[: len(obj) // 2])
            f.flush()
        (work_dir / 'hanging').write_text(str(filepath))
        time.sleep(120)

    LocalBackend.put = put


if __name__ == '__main__':
    out = Path(sys.argv[1])
    _hang_on_save(out, int(sys.argv[2]))
    toy_runner(out, max_iters=5).train()
