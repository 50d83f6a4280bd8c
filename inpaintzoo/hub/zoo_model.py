"""What the zoo knows about one model: :class:`ZooModel` and :class:`WeightSource`.

Both are read from the OpenMMLab-style metafiles under ``model_zoo/`` (see
:mod:`inpaintzoo.hub.model_index` and ``docs/model_zoo.md``); nothing here touches
the network or the disk except :meth:`ZooModel.local_path`.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inpaintzoo.utils.errors import ConfigError

#: where a weight file comes from
SOURCE_KINDS = ('url', 'gdrive', 'hf')
#: what the fetched file is: an official checkpoint to convert, or ours
FORMATS = ('official', 'inpaintzoo')


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
        sha256 (dict[str, str]): expected sha256 per file name (required for
            ``url`` sources; official Drive files have none published).
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
            ConfigError: unknown source kind or format, no files, a ``url``
                source without a sha256, an official source without converter.
        """
        if not isinstance(entry, dict):
            raise ConfigError(
                f'{where}: each Weights item must be a mapping, got {entry!r}'
            )
        kind = entry.get('Source')
        fmt = entry.get('Format', 'inpaintzoo')
        link = str(entry.get('Link') or '')
        files = tuple(str(f) for f in entry.get('Files') or ())
        sha = {str(k): str(v).lower() for k, v in (entry.get('SHA256') or {}).items()}
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
        """Where the ready-to-load converted ``.safetensors`` generator lives."""
        return self.cache_dir() / f'{self.name}.safetensors'

    def local_path(self) -> Path | None:
        """The converted ``.safetensors`` file if cached and intact, else ``None``.

        Intact means its sha256 equals the one recorded next to it
        (``<file>.sha256``); no network access, no conversion.
        """
        from inpaintzoo.hub.cache import verified_cached_file

        return verified_cached_file(self.converted_path())
