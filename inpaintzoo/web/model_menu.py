"""The web app's model menu: which models it offers, and loading them.

:func:`available_models` lists the model given on the command line, the demo
checkpoints ``work_dirs/demo/<model>/`` and the zoo entries whose weights are in
the local cache; :class:`ModelCache` builds one at a time (the last used stays
loaded; weights are read-only and shared, user data never is). Nothing here
downloads.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inpaintzoo.utils.errors import WeightsUnavailableError

#: architecture name prefixes of the face models (auto lip mask, landmarks)
FACE_ARCHS = ('nclg',)


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model menu.

    Attributes:
        label (str): what the menu shows (unique).
        model (str): a zoo name or a config path, for
            :func:`inpaintzoo.apis.init_model`.
        checkpoint (str | None): weights file; ``None`` for a zoo name means
            "the cached zoo weights" (checked when the model is loaded).
        arch (str): architecture (``'hint'``, ``'nclg'``, ...), ``''`` if unknown.
    """

    label: str
    model: str
    checkpoint: str | None
    arch: str = ''

    @property
    def is_face(self) -> bool:
        """Whether this is a face model (NCLG): the auto lip mask applies."""
        return self.arch.lower().replace('-', '_').startswith(FACE_ARCHS)


def last_demo_checkpoint(work_dir: Path) -> Path | None:
    """The newest ``iter_*.pth`` of a demo work dir (or its ``last_checkpoint``)."""
    pointer = work_dir / 'last_checkpoint'
    if pointer.is_file():
        target = Path(pointer.read_text().strip())
        if target.is_file():
            return target
    ckpts = [p for p in work_dir.glob('iter_*.pth') if p.stem[5:].isdigit()]
    return max(ckpts, key=lambda p: int(p.stem[5:])) if ckpts else None


def demo_models(demo_root: str | os.PathLike = 'work_dirs/demo') -> list[ModelChoice]:
    """The demo-trained checkpoints present under ``demo_root/<model>/``."""
    from inpaintzoo.apis.demo import DEMO_CONFIGS
    from inpaintzoo.utils.config_paths import package_config

    found = []
    for arch, config in DEMO_CONFIGS.items():
        ckpt = last_demo_checkpoint(Path(demo_root) / arch)
        if ckpt is not None:
            found.append(
                ModelChoice(
                    f'{arch} (demo, {ckpt.name})',
                    str(package_config(config)),
                    str(ckpt),
                    arch,
                )
            )
    return found


def zoo_models() -> list[ModelChoice]:
    """Zoo entries whose converted weights are in the local cache."""
    from inpaintzoo.hub import list_models

    found = []
    for info in list_models():
        local = info.local_path()
        if local is not None:
            found.append(ModelChoice(info.name, info.name, str(local), str(info.arch)))
    return found


def cli_model(model: str, checkpoint: str | None) -> ModelChoice:
    """The menu entry of ``inpaintzoo serve --model M [--checkpoint C]``."""
    arch = ''
    try:
        from inpaintzoo.hub import get_model_info

        arch = str(get_model_info(model).arch)
    except Exception:  # a config path, not a zoo name
        arch = Path(model).stem.split('-')[0].split('_')[0]
    label = model
    if checkpoint is not None:
        label = f'{Path(model).name} + {Path(checkpoint).name}'
    return ModelChoice(label, model, checkpoint, arch)


def available_models(
    model: str | None = None,
    checkpoint: str | None = None,
    demo_root: str | os.PathLike = 'work_dirs/demo',
) -> list[ModelChoice]:
    """The model menu: the command-line model first, then demo and zoo models.

    Args:
        model (str, optional): ``--model`` (zoo name or config).
        checkpoint (str, optional): ``--checkpoint``.
        demo_root (str | Path): where ``make demo`` (in a clone of the
            repository) writes its checkpoints.

    Returns:
        list[ModelChoice]: unique labels; may be empty (the page then says how
        to get a model).
    """
    choices = [cli_model(model, checkpoint)] if model else []
    for extra in (*demo_models(demo_root), *zoo_models()):
        if all(c.label != extra.label for c in choices):
            choices.append(extra)
    return choices


def no_model_message() -> str:
    """What the page says when no model is available."""
    return (
        'No model with weights is available. Start with `inpaintzoo serve --model '
        'CONFIG --checkpoint FILE`, or download zoo weights (`inpaintzoo list`, then '
        '`inpaintzoo download NAME`) and restart; in a clone of the repository, '
        '`make demo` trains a small demo model that the menu lists.'
    )


def device_choices() -> list[str]:
    """``['cpu']`` plus each visible CUDA device."""
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return ['cpu', *(f'cuda:{i}' for i in range(gpus))]


class ModelCache:
    """Builds models on demand and keeps the last ``size`` of them loaded.

    Thread-safe: two requests for the same model build it once.
    """

    def __init__(self, size: int = 1) -> None:
        self.size = max(1, int(size))
        self._models: dict[tuple[str, str | None, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, choice: ModelChoice, device: str = 'cpu') -> Any:
        """The model of ``choice`` on ``device`` (built on first use).

        Raises:
            WeightsUnavailableError: a zoo model whose weights are not cached
                (the message names ``inpaintzoo download NAME``).
        """
        key = (choice.model, choice.checkpoint, device)
        with self._lock:
            if key in self._models:
                self._models[key] = self._models.pop(key)  # most recent last
                return self._models[key]
            model = load_model(choice, device)
            self._models[key] = model
            while len(self._models) > self.size:
                self._models.pop(next(iter(self._models)))
            return model


def load_model(choice: ModelChoice, device: str = 'cpu') -> Any:
    """Build ``choice`` with :func:`~inpaintzoo.apis.init_model`; never downloads.

    Raises:
        WeightsUnavailableError: a checkpoint file is missing, or a zoo model's
            weights are not in the local cache.
    """
    from inpaintzoo.apis.inference import init_model

    checkpoint = choice.checkpoint
    if checkpoint is None and not _is_config(choice.model):
        from inpaintzoo.hub import get_model_info

        local = get_model_info(choice.model).local_path()
        if local is None:
            raise WeightsUnavailableError(
                f'the weights of {choice.model!r} are not downloaded: run '
                f'`inpaintzoo download {choice.model}` on the server, then reload '
                'the page'
            )
        checkpoint = str(local)
    remote = checkpoint is not None and '://' in checkpoint
    if checkpoint is not None and not remote and not Path(checkpoint).is_file():
        raise WeightsUnavailableError(
            f'checkpoint {checkpoint} of model {choice.label!r} does not exist: '
            'restart with --checkpoint FILE, or (in a clone of the repository) '
            'train the demo again with `make demo`'
        )
    return init_model(choice.model, checkpoint, device=device)


def _is_config(name: str) -> bool:
    return name.endswith('.py') or os.sep in name
