"""What the zoo knows about one model: :class:`ZooModel` and :class:`WeightSource`.

Both are read from the OpenMMLab-style metafiles under ``model_zoo/`` (see
:mod:`inpaintzoo.hub.model_index` and ``docs/model_zoo.md``); nothing here touches
the network or the disk except :meth:`ZooModel.local_path`.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from inpaintzoo.utils.errors import ConfigError

#: where a weight file comes from
SOURCE_KINDS = ('url', 'gdrive', 'hf')
#: what the fetched file is: an official checkpoint to convert, or ours
FORMATS = ('official', 'inpaintzoo')
#: sub-folder of a model's cache folder that holds the converted generator
CONVERTED_DIR = 'converted'
_SHA256 = re.compile(r'[0-9a-fA-F]{64}')


def is_full_sha256(value: object) -> bool:
    """Whether ``value`` is a string of exactly 64 hex digits (any case)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _check_file_names(files: tuple[str, ...], where: str) -> None:
    """Refuse ``Files`` entries that are not plain names inside the cache folder."""
    for name in files:
        if (
            not name
            or name != PurePosixPath(name).name
            or '\\' in name
            or name.startswith('.')
            or name == CONVERTED_DIR
        ):
            raise ConfigError(
                f'{where}: Weights file name {name!r} must be a plain file name '
                f'(no folders, not starting with ".", not {CONVERTED_DIR!r})'
            )


def _parse_sha256(entry: dict[str, Any], files: tuple[str, ...], where: str) -> dict:
    """The ``SHA256`` map of a Weights item, each value 64 hex digits, lower-cased.

    Raises:
        ConfigError: not a mapping, a key that is not one of ``files``, or a
            value that is not exactly 64 hex digits (names the file).
    """
    raw = entry.get('SHA256')
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f'{where}: Weights SHA256 must map file names to sha256 values, got {raw!r}'
        )
    sha = {}
    for name, value in raw.items():
        if str(name) not in files:
            raise ConfigError(
                f'{where}: Weights SHA256 names {name!r}, which is not in its '
                f'Files {list(files)}'
            )
        if not is_full_sha256(value):
            raise ConfigError(
                f'{where}: Weights SHA256 of {name!r} is {value!r}; it must be the '
                "file's full sha256, 64 hex digits in quotes"
            )
        sha[str(name)] = value.lower()
    return sha


@dataclass(frozen=True)
class WeightSource:
    """One place the weights of a zoo model can be fetched from.

    Attributes:
        kind (str): ``'url'`` (plain http(s), our published files), ``'gdrive'``
            (a Google Drive folder, through the optional ``gdown``) or ``'hf'``
            (``hf://org/repo/path``, through the optional ``huggingface_hub``).
        link (str): the URL, Drive folder link or ``hf://`` address.
        files (tuple[str, ...]): file names to fetch; for a Drive folder, the
            names inside it that are needed (e.g. ``InpaintingModel_gen.pth``).
        format (str): ``'official'`` (an official checkpoint converted with
            :attr:`converter`) or ``'inpaintzoo'`` (our own ``.safetensors`` or
            ``.pth`` generator checkpoint).
        converter (str | None): arch name in
            :data:`inpaintzoo.registry.CONVERTERS` for official files.
        sha256 (dict[str, str]): expected full sha256 (64 lower-case hex digits)
            per file name (required for ``url`` sources; official Drive files
            have none published and are checked by structure only).
        note (str): free text (what is known and unknown about the source).
    """

    kind: str
    link: str
    files: tuple[str, ...]
    format: str = 'inpaintzoo'
    converter: str | None = None
    sha256: dict[str, str] = field(default_factory=dict)
    note: str = ''

    @classmethod
    def from_metafile(cls, entry: dict[str, Any], where: str) -> 'WeightSource':
        """Parse one item of a metafile's ``Weights`` list.

        Args:
            entry (dict): ``{Source, Link, Files, Format, Converter, SHA256, Note}``.
            where (str): ``'<metafile>: <model name>'`` for error messages.

        Raises:
            ConfigError: unknown source kind or format, no files, a file name
                that is not a plain name, a sha256 that is not 64 hex digits, a
                ``url`` source without a sha256, an official source without
                converter.
        """
        if not isinstance(entry, dict):
            raise ConfigError(
                f'{where}: each Weights item must be a mapping, got {entry!r}'
            )
        kind = entry.get('Source')
        fmt = entry.get('Format', 'inpaintzoo')
        link = str(entry.get('Link') or '')
        files = tuple(str(f) for f in entry.get('Files') or ())
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                f'{where}: Weights Source {kind!r} is not one of {SOURCE_KINDS}'
            )
        if fmt not in FORMATS:
            raise ConfigError(
                f'{where}: Weights Format {fmt!r} is not one of {FORMATS}'
            )
        if not link or not files:
            raise ConfigError(
                f'{where}: a Weights item needs a Link and a non-empty Files list'
            )
        _check_file_names(files, where)
        if kind == 'hf' and files != (PurePosixPath(link).name,):
            raise ConfigError(
                f'{where}: an hf source names exactly the file of its Link '
                f'(Files: [{PurePosixPath(link).name}])'
            )
        sha = _parse_sha256(entry, files, where)
        if kind == 'url' and (len(files) != 1 or files[0] not in sha):
            raise ConfigError(
                f'{where}: a url source names exactly one file and its SHA256 '
                f'(Files: [{files[0]}], SHA256: {{{files[0]}: <64 hex digits>}})'
            )
        if fmt == 'official' and not entry.get('Converter'):
            raise ConfigError(
                f'{where}: an official source needs a Converter (arch name)'
            )
        return cls(
            kind=kind,
            link=link,
            files=files,
            format=fmt,
            converter=entry.get('Converter'),
            sha256=sha,
            note=str(entry.get('Note') or '').strip(),
        )


@dataclass
class ZooModel:
    """One model of the zoo (one ``Models`` entry of a metafile).

    Attributes:
        name (str): zoo name ``<arch>_<dataset>`` (the metafile's ``Alias``), e.g.
            ``'hint_celeba-hq'``; the entry's ``Name`` (its config stem) is
            :attr:`metafile_name` and is accepted by the lookups too.
        arch (str): converter / architecture name (``'hint'``, ``'mxt'``,
            ``'sem_net'``).
        task (str): ``'inpainting'``.
        config (str): config path relative to the repository root (or, in a
            private index, to the folder its ``Import`` paths start from); the
            file is :meth:`config_path`.
        dataset (str): training data, e.g. ``'CelebA-HQ'``.
        params (int | None): generator parameter count (the config's built
            generator); official files must convert to exactly this many.
        results (dict): published results, ``{mask bucket: {metric: value}}``.
        weights (list[WeightSource]): where to fetch the weights, tried in order.
        metafile_name (str): the metafile ``Name`` (the config's stem).
        collection (str): the metafile collection (``'HINT'``).
        results_source (str): where :attr:`results` come from (table numbers).
        metafile (str): the metafile this entry was read from.
        root (str): the folder a private index's ``Import`` (and ``Config``)
            paths start from; empty for the packaged zoo.
    """

    name: str
    arch: str
    task: str
    config: str
    dataset: str
    params: int | None
    results: dict
    weights: list[WeightSource]
    metafile_name: str = ''
    collection: str = ''
    results_source: str = ''
    metafile: str = ''
    root: str = ''

    def config_path(self) -> Path:
        """The config file of :attr:`config`, never looked up in the working directory.

        inpaintzoo's own configs first (:func:`~inpaintzoo.utils.config_paths.
        package_config`), then, for a private index, :attr:`root` / ``config``.

        Raises:
            ConfigNotFoundError: neither exists.
        """
        from inpaintzoo.utils.config_paths import package_config
        from inpaintzoo.utils.errors import ConfigNotFoundError

        try:
            return package_config(self.config)
        except ConfigNotFoundError as err:
            own = Path(self.root) / self.config if self.root else None
            if own is not None and own.is_file():
                return own
            where = f' or under {self.root}' if self.root else ''
            raise ConfigNotFoundError(
                f'zoo model {self.name!r} ({self.metafile}) names config '
                f"{self.config!r}, which is not among inpaintzoo's configs"
                f'{where}: {err}'
            ) from err

    def cache_dir(self) -> Path:
        """Folder of this model in the weights cache (``$INPAINTZOO_HOME/<name>``)."""
        from inpaintzoo.hub.cache import model_cache_dir

        return model_cache_dir(self.name)

    def converted_path(self) -> Path:
        """Where the ready-to-load converted generator lives.

        ``<cache dir>/converted/<name>.safetensors``: a sub-folder no source
        file can be in (``Files`` are plain names, never ``converted``), so a
        fetched file is never taken for the converted one or deleted as such.
        """
        return self.cache_dir() / CONVERTED_DIR / f'{self.name}.safetensors'

    def local_path(self) -> Path | None:
        """The converted ``.safetensors`` file if cached and intact, else ``None``.

        Intact means its sha256 equals the one recorded next to it
        (``<file>.sha256``); no network access, no conversion. A converted file
        an older inpaintzoo left at ``<cache dir>/<name>.safetensors`` is moved
        to :meth:`converted_path` first (see
        :func:`~inpaintzoo.hub.cache.adopt_legacy_converted`) and its values are
        checked as a new conversion's would be; degenerate ones are deleted.
        """
        from inpaintzoo.hub.cache import adopt_legacy_converted, verified_cached_file

        target = self.converted_path()
        if not target.is_file():
            legacy = self.cache_dir() / f'{self.name}.safetensors'
            if adopt_legacy_converted(legacy, target, self.name):
                from inpaintzoo.hub.weights_check import drop_if_degenerate

                drop_if_degenerate(target)
        return verified_cached_file(target)
