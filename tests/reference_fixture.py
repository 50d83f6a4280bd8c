"""Read one golden fixture of ``shared/reference/<name>/`` (official networks)."""

import json
from pathlib import Path

import torch


def load_reference(
    reference_dir: Path, name: str, state_dict: str
) -> tuple[dict, dict, dict]:
    """``(config, state_dict, io)`` of ``reference_dir / name``.

    Args:
        reference_dir (Path): ``shared/reference`` (the ``reference_dir`` fixture).
        name (str): fixture folder, e.g. ``'hint'`` or ``'discriminator'``.
        state_dict (str): the official weights' file in it, e.g.
            ``'generator_state_dict.pt'``.

    Returns:
        tuple: ``config.json`` as a dict, the official state dict and ``io.pt``
        (inputs and reference outputs), both loaded with ``weights_only=True``.
    """
    d = reference_dir / name
    cfg = json.loads((d / 'config.json').read_text())
    sd = torch.load(d / state_dict, weights_only=True)
    io = torch.load(d / 'io.pt', weights_only=True)
    return cfg, sd, io


def check_float64_and_float32(net: torch.nn.Module, io: dict) -> torch.Tensor:
    """Compare a converted discriminator with the fixture in eval mode.

    ``net(io['x'], return_features=True)`` in float64 must give ``io['output']``
    and ``io['features']`` to 1e-8, and in float32 ``io['output_float32']`` to 1e-4
    (copies of ``net`` are used; ``net`` is left as it is).

    Returns:
        Tensor: the float64 output, for further checks.
    """
    import copy

    net64 = copy.deepcopy(net).double().eval()
    with torch.no_grad():
        out, feats = net64(io['x'], return_features=True)
        out32 = copy.deepcopy(net).float().eval()(io['x'].float())
    torch.testing.assert_close(out, io['output'], rtol=0, atol=1e-8)
    for ours, ref in zip(feats, io['features'], strict=True):
        torch.testing.assert_close(ours, ref, rtol=0, atol=1e-8)
    torch.testing.assert_close(out32, io['output_float32'], rtol=0, atol=1e-4)
    return out


def check_train_mode_first_call(net: torch.nn.Module, io: dict) -> dict:
    """One float64 train-mode call of a copy of ``net`` must give
    ``io['output_train_mode_first_call']`` (spectral norm's first power iteration).

    Returns:
        dict: the copy's state dict after the call (its updated ``weight_u`` buffers).
    """
    import copy

    net = copy.deepcopy(net).double().train()
    with torch.no_grad():
        out = net(io['x'])
    torch.testing.assert_close(
        out, io['output_train_mode_first_call'], rtol=0, atol=1e-8
    )
    return net.state_dict()
