"""Where pretrained feature-net weights are looked for (never downloaded here)."""

from pathlib import Path

import torch

#: File names torchvision / pytorch-fid use in the torch hub cache.
HUB_FILES = {
    'pt_inception-2015-12-05': 'pt_inception-2015-12-05-6726825d.pth',
    'torchvision_inception_v3': 'inception_v3_google-0cc3c7bd.pth',
    'vgg': 'vgg16-397923af.pth',
    'alex': 'alexnet-owt-7be5be79.pth',
    'squeeze': 'squeezenet1_1-b8a52dc0.pth',
}


def hub_checkpoint_dir() -> Path:
    """The torch hub checkpoint cache (``$TORCH_HOME/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / 'checkpoints'


def find_weights(name: str, path: str | None = None) -> Path | None:
    """Return a local weights file: ``path`` if given, else the hub cache file.

    Args:
        name (str): a key of :data:`HUB_FILES`.
        path (str, optional): explicit local file; must exist.

    Returns:
        Path | None: the file, or ``None`` when nothing is cached.
    """
    if path is not None:
        file = Path(path).expanduser()
        if not file.is_file():
            raise FileNotFoundError(f'weights file not found: {file}')
        return file
    cached = hub_checkpoint_dir() / HUB_FILES[name]
    return cached if cached.is_file() else None


def missing_weights_message(what: str, name: str, option: str) -> str:
    """Error text for pretrained weights that are not available offline."""
    return (
        f'{what} weights are not available offline: expected '
        f'{hub_checkpoint_dir() / HUB_FILES[name]} (torch hub cache). Pass a local '
        f'file with {option}, or place the file there; inpaintzoo never downloads '
        'metric weights.'
    )


def load_state_dict_file(path: Path) -> dict:
    """Load a state dict saved with ``torch.save`` (``weights_only=True``)."""
    state = torch.load(str(path), map_location='cpu', weights_only=True)
    if isinstance(state, dict) and 'state_dict' in state:
        state = state['state_dict']
    if not isinstance(state, dict):
        raise ValueError(f'{path} does not hold a state dict')
    return state
