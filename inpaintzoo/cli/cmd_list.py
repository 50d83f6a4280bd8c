"""``inpaintzoo list``: the zoo's models as a table (or JSON)."""

import argparse
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

#: table columns: header and how each row's cell is made
COLUMNS = ('NAME', 'ARCH', 'TASK', 'PARAMS', 'DATASET', 'WEIGHTS')


def add_list_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``list`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'list',
        help='list the zoo models',
        description=(
            'List the zoo models: name, architecture, task, parameters, training '
            'data set and whether their weights are downloaded.'
        ),
    )
    parser.add_argument(
        '--json', action='store_true', help='print JSON instead of a table'
    )
    parser.set_defaults(handler=run_list)
    return parser


def format_params(params: int | None) -> str:
    """``31_234_567`` -> ``'31.2M'``; ``None`` -> ``'-'``."""
    if params is None:
        return '-'
    for unit, scale in (('G', 1e9), ('M', 1e6), ('K', 1e3)):
        if params >= scale:
            return f'{params / scale:.3g}{unit}'
    return str(params)


def weights_status(model: Any) -> str:
    """``'local:<check>'`` (downloaded), ``'download'`` (has a source) or ``'none'``.

    ``<check>`` says how the downloaded source was verified (recorded in the
    converted file): ``sha256`` (its published hash) or ``structure`` (keys,
    shapes, parameter count and values only: no hash is published); a file
    converted before that was recorded shows plain ``'local'``.
    """
    local = model.local_path()
    if local is not None:
        check = source_check(local)
        return 'local' if check is None else f'local:{check}'
    return 'download' if model.weights else 'none'


def source_check(path: Any) -> str | None:
    """How the source of the converted file ``path`` was checked, if recorded."""
    try:
        from inpaintzoo.hub.weights_check import source_check_of

        check = source_check_of(path)
    except Exception:  # unreadable metadata: the table still lists the model
        return None
    return None if check == 'unknown' else str(check)


def model_row(model: Any) -> tuple[str, ...]:
    """The table cells of one :class:`~inpaintzoo.hub.ZooModel`."""
    return (
        model.name,
        str(model.arch),
        str(model.task),
        format_params(model.params),
        str(model.dataset or '-'),
        weights_status(model),
    )


def format_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Left-aligned plain-text table with a header line."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    lines = [
        '  '.join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
        for line in (header, *rows)
    ]
    return '\n'.join(lines)


def _jsonable(value: Any) -> Any:
    """Dataclasses to dicts, paths and other objects to strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def model_record(model: Any) -> dict[str, Any]:
    """JSON record of one zoo model (its fields plus ``local_path``)."""
    record = _jsonable(model)
    if not isinstance(record, dict):
        record = {'name': model.name}
    local = model.local_path()
    record['local_path'] = None if local is None else str(local)
    record['source_check'] = None if local is None else source_check(local)
    return record


def run_list(args: argparse.Namespace) -> int:
    """Print the zoo models; returns 0."""
    from inpaintzoo.hub import list_models

    models = list_models()
    if args.json:
        print(json.dumps([model_record(m) for m in models], indent=2))
        return 0
    print(format_table([model_row(m) for m in models], COLUMNS))
    print(
        f'{len(models)} model(s). WEIGHTS: local:sha256 = downloaded, matched its '
        'published sha256; local:structure = downloaded, no published hash, so '
        'checked by keys, shapes, parameter count and values only; download = '
        'fetch with `inpaintzoo download NAME`; none = no published weights'
    )
    return 0
