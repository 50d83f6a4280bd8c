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


def test_a_zoo_entry_without_weights_says_so_not_did_you_mean():
    """The deblurring aliases are metafile entries without published weights."""
    for name in ('sem-net-deblur_gopro', 'sem-deblur-hidetest_1xb4-300k_gopro-256x256'):
        with pytest.raises(ConfigError) as err:
            get_model_info(name)
        message = str(err.value)
        assert 'has no published weights, so there is nothing to download' in message
        assert 'configs/sem_net_deblur/sem-deblur' in message
        assert 'did you mean' not in message


def test_a_near_name_of_an_entry_without_weights_is_suggested():
    with pytest.raises(ConfigError) as err:
        get_model_info('sem-net-deblur')
    assert "Did you mean 'sem-net-deblur_gopro' (config configs/sem_net_deblur/" in (
        str(err.value)
    )
    assert 'a model without published weights?' in str(err.value)


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


def url_entry(sha) -> dict:
    """A url Weights item whose SHA256 of ``y.pth`` is ``sha``."""
    return {
        'Source': 'url',
        'Link': 'https://x/y.pth',
        'Files': ['y.pth'],
        'SHA256': {'y.pth': sha},
    }


@pytest.mark.parametrize(
    'sha', ['', 'a', 'zz-not-hex', None, '0a1b2c3d', '0' * 63, 'g' * 64, 0, 10**70]
)
def test_sha256_must_be_64_hex_digits(sha):
    """An empty, short, non-hex, null or number value never turns the check off."""
    with pytest.raises(ConfigError) as err:
        WeightSource.from_metafile(url_entry(sha), 'zoo/metafile.yml: tiny')
    msg = str(err.value)
    assert 'zoo/metafile.yml: tiny' in msg
    assert "'y.pth'" in msg
    assert '64 hex digits' in msg


def test_full_sha256_any_case_is_accepted_lower_cased():
    source = WeightSource.from_metafile(url_entry('AB' * 32), 'm')
    assert source.sha256 == {'y.pth': 'ab' * 32}


def test_sha256_of_a_file_not_in_files_is_refused():
    entry = {
        'Source': 'gdrive',
        'Link': 'https://drive.google.com/drive/folders/x',
        'Files': ['InpaintingModel_gen.pth'],
        'Format': 'official',
        'Converter': 'hint',
        'SHA256': {'InpaintingModel_gen.pt': 'a' * 64},  # typo: file left unchecked
    }
    with pytest.raises(ConfigError, match=r"'InpaintingModel_gen\.pt'.*not in its"):
        WeightSource.from_metafile(entry, 'm')


@pytest.mark.parametrize('name', ['../y.pth', 'sub/y.pth', '.y.pth', 'converted'])
def test_file_names_must_be_plain_names(name):
    """Files stay inside the cache folder and away from ``converted/``."""
    entry = url_entry('a' * 64)
    entry['Files'] = [name]
    entry['SHA256'] = {name: 'a' * 64}
    with pytest.raises(ConfigError, match='plain file name'):
        WeightSource.from_metafile(entry, 'm')


def test_hf_files_must_be_the_file_of_the_link():
    """Else the SHA256 would be looked up under another name and never checked."""
    entry = {
        'Source': 'hf',
        'Link': 'hf://org/repo/w/tiny.safetensors',
        'Files': ['other.safetensors'],
        'SHA256': {'other.safetensors': 'a' * 64},
    }
    with pytest.raises(ConfigError, match=r'Files: \[tiny.safetensors\]'):
        WeightSource.from_metafile(entry, 'm')
