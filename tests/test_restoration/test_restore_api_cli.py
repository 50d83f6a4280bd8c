"""``restore`` API and ``inpaintzoo restore`` end to end on a tiny restorer."""

from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from PIL import Image

from inpaintzoo.apis.inference import init_model
from inpaintzoo.apis.restoration import restore, restore_sliding
from inpaintzoo.cli.main import cli_main
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import ConfigError

from .conftest import random_rgb, tiny_deblur_config, write_png


@pytest.fixture(scope='module')
def tiny_files(tmp_path_factory) -> tuple[Path, Path]:
    """A dumped tiny deblurring config and a full random checkpoint."""
    root = tmp_path_factory.mktemp('tiny_deblur')
    cfg = tiny_deblur_config()
    config = root / 'deblur_tiny.py'
    cfg.dump(str(config))
    init_default_scope('inpaintzoo')
    torch.manual_seed(0)
    net = MODELS.build(cfg.model)
    net.generator.output.weight.data.normal_(0, 0.05)
    ckpt = root / 'tiny.pth'
    torch.save({'state_dict': net.state_dict()}, ckpt)
    return config, ckpt


def test_api_whole_and_sliding(tiny_files):
    config, ckpt = tiny_files
    model = init_model(str(config), str(ckpt), device='cpu')
    img = random_rgb(np.random.default_rng(0), 40, 52)
    whole = restore(model, img)
    assert whole.shape == img.shape
    assert whole.dtype == np.uint8
    tiled = restore(model, img, strategy='sliding', tile=32, overlap=8)
    assert tiled.shape == img.shape
    # one tile covering the picture is the whole run
    np.testing.assert_array_equal(
        restore(model, img, strategy='sliding', tile=64, overlap=0), whole
    )
    assert len(restore(model, [img, img[:20]])) == 2
    with pytest.raises(ConfigError, match='sliding'):
        restore(model, img, tile=32)


def test_sliding_blend_is_seamless_for_a_pointwise_net():
    x = torch.rand(1, 3, 50, 70)
    out = restore_sliding(lambda t: t * 2, x, tile=24, overlap=6)
    torch.testing.assert_close(out, x * 2)


def test_inpaintor_is_refused(tmp_path):
    class NotRestorer(torch.nn.Module):
        pass

    with pytest.raises(ConfigError, match='not a restorer'):
        restore(NotRestorer(), np.zeros((8, 8, 3), np.uint8))


def test_cli_restore_end_to_end(tiny_files, tmp_path):
    config, ckpt = tiny_files
    rng = np.random.default_rng(1)
    img = write_png(tmp_path / 'in' / 'blurred.png', random_rgb(rng, 30, 44))
    write_png(tmp_path / 'in' / 'other.png', random_rgb(rng, 20, 20))
    out_file = tmp_path / 'sharp.png'
    args = ['restore', str(img), '--config', str(config), '--checkpoint', str(ckpt)]
    assert cli_main([*args, '--out', str(out_file), '--device', 'cpu']) == 0
    assert np.asarray(Image.open(out_file)).shape == (30, 44, 3)
    assert 'icc_profile' not in Image.open(out_file).info
    icc = b'\0\0\x02\x4cnot checked by the writer: any profile bytes are kept'
    Image.open(img).save(img, icc_profile=icc)
    assert cli_main([*args, '--out', str(out_file), '--device', 'cpu']) == 0
    assert Image.open(out_file).info['icc_profile'] == icc
    out_dir = tmp_path / 'out'
    cli_main(
        [
            'restore',
            str(tmp_path / 'in'),
            '--config',
            str(config),
            '--checkpoint',
            str(ckpt),
            '--out',
            str(out_dir),
            '--strategy',
            'sliding',
            '--tile',
            '16',
            '--overlap',
            '4',
        ]
    )
    assert sorted(p.name for p in out_dir.iterdir()) == ['blurred.png', 'other.png']
    with pytest.raises(ConfigError, match='sliding'):
        cli_main([*args, '--out', str(out_dir), '--tile', '16'])
    with pytest.raises(ConfigError, match='2 images'):
        cli_main(['restore', str(tmp_path / 'in'), *args[2:], '--out', str(out_file)])
    # restored into the input's own folder, and two inputs of one stem: the
    # clashing names are labelled restored, the input is kept
    twin = tmp_path / 'in' / 'blurred.jpg'
    Image.fromarray(random_rgb(rng, 12, 16)).save(twin, quality=95)
    before = img.read_bytes()
    own = ['restore', str(img), str(twin), *args[2:], '--out', str(tmp_path / 'in')]
    assert cli_main([*own, '--device', 'cpu']) == 0
    assert img.read_bytes() == before
    for name, shape in (
        ('blurred_restored', (30, 44, 3)),
        ('blurred_restored2', (12, 16, 3)),
    ):
        assert np.asarray(Image.open(tmp_path / 'in' / f'{name}.png')).shape == shape
    assert not list((tmp_path / 'in').glob('*_inpainted*'))


def test_inpaint_api_refuses_a_restorer(tiny_files):
    from inpaintzoo.apis.inference import inpaint

    config, ckpt = tiny_files
    model = init_model(str(config), str(ckpt), device='cpu')
    img = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ConfigError, match='restorer'):
        inpaint(model, img, np.zeros((8, 8), np.uint8))


def test_exif_turned_file_is_restored_as_shown(tiny_files, tmp_path):
    config, ckpt = tiny_files
    model = init_model(str(config), str(ckpt), device='cpu')
    stored = random_rgb(np.random.default_rng(2), 24, 40)  # H 24, W 40 on disk
    path = tmp_path / 'sideways.png'
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(path, exif=exif)
    shown = np.ascontiguousarray(np.rot90(stored, k=-1))
    np.testing.assert_array_equal(restore(model, str(path)), restore(model, shown))
    assert restore(model, str(path), orientation='stored').shape == (24, 40, 3)


def test_auto_strategy_tiles_pictures_above_the_limit(tiny_files, monkeypatch):
    import inpaintzoo.apis.restoration as restore_mod
    from inpaintzoo.apis import highres

    config, ckpt = tiny_files
    model = init_model(str(config), str(ckpt), device='cpu')
    img = random_rgb(np.random.default_rng(3), 40, 52)
    tiled = []
    real = restore_mod.restore_sliding
    monkeypatch.setattr(
        restore_mod,
        'restore_sliding',
        lambda *a, **k: tiled.append(a[2:]) or real(*a, **k),
    )
    whole = restore(model, img)  # 40 x 52: whole
    assert tiled == []
    monkeypatch.setattr(highres, 'AUTO_WHOLE_MAX_PIXELS', 40 * 52 - 1)
    np.testing.assert_array_equal(restore(model, img), whole)  # one 512 tile
    assert tiled == [(512, 64)]
    with pytest.raises(ConfigError, match="strategy='auto' takes none"):
        restore(model, img, tile=32)


def test_the_package_name_restore_is_the_function():
    """``from inpaintzoo.apis import restore`` (the documented import) is callable.

    It stays so after the module behind it is imported by name, which used to
    rebind ``inpaintzoo.apis.restore`` to that module.
    """
    import subprocess
    import sys

    code = (
        'import inpaintzoo.apis.restoration\n'
        'from inpaintzoo.apis import init_model, restore\n'
        'import inpaintzoo.apis as apis\n'
        'assert callable(restore) and restore.__name__ == "restore", restore\n'
        'assert apis.restore is restore\n'
    )
    subprocess.run([sys.executable, '-c', code], check=True)


def test_cli_refuses_an_inpainting_zoo_model_before_fetching_weights(
    tmp_path, monkeypatch
):
    import inpaintzoo.hub

    def no_fetch(*args, **kwargs):
        pytest.fail('weights were fetched before the model type was checked')

    monkeypatch.setattr(inpaintzoo.hub, 'download', no_fetch)
    img = write_png(
        tmp_path / 'blurred.png', random_rgb(np.random.default_rng(0), 8, 8)
    )
    with pytest.raises(ConfigError, match='hint_celeba-hq: GANInpaintor is not a res'):
        cli_main(['restore', str(img), '--config', 'hint_celeba-hq',
                  '--out', str(tmp_path / 'o'), '--device', 'cpu'])  # fmt: skip
