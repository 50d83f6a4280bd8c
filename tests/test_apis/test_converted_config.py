"""The converter writes a generator-only file plus the config that loads it."""

import importlib.util
from pathlib import Path

import numpy as np
import torch

from inpaintzoo.apis import init_model, inpaint

TOOL = (
    Path(__file__).resolve().parents[2]
    / 'tools/model_converters/official_to_inpaintzoo.py'
)


def _tool():
    spec = importlib.util.spec_from_file_location('official_to_inpaintzoo', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generator_only_conversion_loads_with_its_config(
    tmp_path, reference_dir, capsys
):
    gen = torch.load(
        reference_dir / 'hint' / 'generator_state_dict.pt', weights_only=True
    )
    torch.save({'iteration': 1, 'generator': gen}, tmp_path / 'g.pth')
    out = tmp_path / 'hint_official.pth'
    assert _tool().main(['--arch', 'hint', str(tmp_path / 'g.pth'), str(out)]) == 0
    printed = capsys.readouterr().out
    config = tmp_path / 'hint_official_config.py'
    assert f'matching config: {config}' in printed
    assert 'generator only' in printed
    state = torch.load(out, weights_only=True)['state_dict']
    assert all(k.startswith('generator.') for k in state)
    model = init_model(str(config), str(out), device='cpu')
    assert torch.equal(
        model.generator.state_dict()['output.weight'], state['generator.output.weight']
    )
    img = np.full((19, 23, 3), 128, np.uint8)
    mask = np.zeros((19, 23), np.uint8)
    mask[5:10, 5:12] = 255
    assert inpaint(model, img, mask).shape == (19, 23, 3)
