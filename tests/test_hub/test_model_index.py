"""The packaged model zoo: names, configs, parameter counts, results, weights."""

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from inpaintzoo.hub import WeightSource, get_model_info, list_models
from inpaintzoo.hub.cache import cache_root, is_offline
from inpaintzoo.registry import CONVERTERS, MODELS
from inpaintzoo.utils.config_paths import resolve_config
from inpaintzoo.utils.errors import ConfigError

EXPECTED = {
    'hint_celeba-hq',
    'hint_celeba',
    'hint_places2',
    'hint_dunhuang',
    'mxt_celeba-hq',
    'mxt_places2',
    'sem-net_celeba-hq',
    'nclg_celeba',
    'sem-net_places2',
}


@pytest.fixture(autouse=True)
def _packaged_zoo_only(monkeypatch):
    monkeypatch.delenv('INPAINTZOO_MODEL_INDEX', raising=False)


def test_zoo_names_and_fields():
    models = {m.name: m for m in list_models()}
    assert set(models) == EXPECTED
    for m in models.values():
        assert m.name.startswith(m.arch.replace('_', '-') + '_')
        assert resolve_config(m.config).is_file()
        assert m.task == 'inpainting'
        assert m.dataset
        assert m.params
        assert m.results
        assert 'Table' in m.results_source
        assert m.arch in CONVERTERS.module_dict or CONVERTERS.get(m.arch)
        for w in m.weights:
            assert isinstance(w, WeightSource)
            assert w.kind == 'gdrive'
            assert w.format == 'official'
            assert w.link.startswith('https://drive.google.com/drive/folders/')
            assert w.files == ('InpaintingModel_gen.pth',)
    # metafile Name (config stem) is accepted as well
    assert get_model_info('hint_1xb4-300k_celeba-hq-256x256').name == 'hint_celeba-hq'


def test_published_numbers_are_recorded():
    hint = get_model_info('hint_celeba-hq')
    assert hint.results['0.01-20%']['PSNR'] == 36.5725  # thesis Table 4.11 (a)
    assert hint.results['40-60%']['LPIPS'] == 0.1449
    assert (
        get_model_info('hint_dunhuang').results['official test masks']['PSNR']
        == 38.6705
    )
    assert (
        get_model_info('sem-net_places2').results['20-40%']['FID'] == 22.7814
    )  # Table 5.6


def test_unknown_name_lists_close_names():
    with pytest.raises(ConfigError, match="did you mean 'hint_celeba-hq'") as err:
        get_model_info('hint_celebahq')
    assert 'sem-net_places2' in str(err.value)


def test_cache_root_and_offline_env(monkeypatch, tmp_path):
    monkeypatch.delenv('INPAINTZOO_HOME', raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert cache_root() == tmp_path / 'inpaintzoo'
    monkeypatch.setenv('INPAINTZOO_HOME', str(tmp_path / 'h'))
    assert cache_root() == tmp_path / 'h'
    assert get_model_info('mxt_places2').cache_dir() == tmp_path / 'h' / 'mxt_places2'
    monkeypatch.setenv('INPAINTZOO_OFFLINE', 'yes')
    assert is_offline()
    assert not is_offline(False)
    monkeypatch.setenv('INPAINTZOO_OFFLINE', '0')
    assert not is_offline()


def test_bad_url_source_needs_a_sha256():
    with pytest.raises(ConfigError, match='SHA256'):
        WeightSource.from_metafile(
            {'Source': 'url', 'Link': 'https://x/y.pth', 'Files': ['y.pth']}, 'm'
        )


@pytest.mark.slow
def test_params_equal_the_built_generators():
    """Metafile parameter counts equal the configs' generators (one per arch)."""
    init_default_scope('inpaintzoo')
    seen = set()
    for m in list_models():
        if m.arch in seen:
            continue
        seen.add(m.arch)
        gen = MODELS.build(
            Config.fromfile(str(resolve_config(m.config))).model.generator
        )
        assert sum(p.numel() for p in gen.parameters()) == m.params, m.name


def test_installed_wheel_finds_the_mim_copy(tmp_path):
    """A wheel has no checkout: the index comes from ``inpaintzoo/.mim/model_zoo``."""
    from inpaintzoo.hub.model_index import packaged_index

    pkg = tmp_path / 'site-packages' / 'inpaintzoo'
    index = pkg / '.mim' / 'model_zoo' / 'model-index.yml'
    index.parent.mkdir(parents=True)
    index.write_text('Import: []\n')
    (pkg.parent / 'model_zoo').mkdir()  # not a checkout (no setup.py): ignored
    (pkg.parent / 'model_zoo' / 'model-index.yml').write_text('Import: []\n')
    assert packaged_index(pkg) == index
