"""``inpaintzoo serve``: the browser app (Gradio, optional extra ``[web]``).

Only this subcommand imports Gradio, and only when it runs: ``inpaintzoo list``
and ``import inpaintzoo`` never do. Before the import it switches Gradio's usage
analytics off and points Gradio's upload folder at a temporary folder of this
process, removed when the server stops.
"""

import argparse
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.freed_memory import add_freed_memory_argument

#: default address: this machine only (``--host 0.0.0.0`` shares it on the LAN)
DEFAULT_HOST = '127.0.0.1'
DEFAULT_PORT = 7860


def add_serve_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``serve`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        'serve',
        help='inpaint in the browser: paint the hole, press Run (Gradio app)',
        description=(
            'Start the web app: upload a picture, paint the hole with a brush, '
            'choose a model and press Run. Needs the [web] extra '
            '(pip install "inpaintzoo[web]").'
        ),
    )
    parser.add_argument(
        '--model',
        default=None,
        help='zoo model name or config file offered first in the model menu '
        '(the menu also lists the downloaded zoo models and the checkpoints of '
        '`make demo`)',
    )
    parser.add_argument(
        '--checkpoint', default=None, help='.pth or .safetensors weights of --model'
    )
    parser.add_argument(
        '--host',
        default=DEFAULT_HOST,
        help=f'address to bind (default: {DEFAULT_HOST}, this machine only)',
    )
    parser.add_argument(
        '--port', type=int, default=DEFAULT_PORT, help=f'port (default: {DEFAULT_PORT})'
    )
    parser.add_argument(
        '--device',
        default=None,
        help='preselected device: cpu, cuda:0, ... (default: auto)',
    )
    parser.add_argument(
        '--demo-root',
        default='work_dirs/demo',
        help='where `make demo` (in a clone of the repository) wrote its '
        'checkpoints (default: work_dirs/demo)',
    )
    add_freed_memory_argument(parser)
    parser.set_defaults(handler=run_serve)
    return parser


def prepare_gradio_environment(temp_dir: str) -> None:
    """Set Gradio's environment for this process, before Gradio is imported.

    Usage analytics off (no request leaves the machine) and uploads in
    ``temp_dir``.
    """
    os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'
    os.environ['GRADIO_TEMP_DIR'] = temp_dir


def import_app() -> Any:
    """:mod:`inpaintzoo.web.app`, or a one-line error naming the pip command.

    Raises:
        MissingDependencyError: Gradio is not installed.
    """
    try:
        import gradio  # noqa: F401
    except ImportError as err:
        from inpaintzoo.utils.errors import MissingDependencyError

        raise MissingDependencyError(
            'inpaintzoo serve needs Gradio, which is not installed: run '
            '`pip install "inpaintzoo[web]"` (or `make install`)'
        ) from err
    from inpaintzoo.web import app

    return app


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (as the server will bind it)."""
    with socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_in_use_error(host: str, port: int) -> ConfigError:
    """``port N is in use: pass --port M`` with M the next free port (one line)."""
    free = next(
        (p for p in range(port + 1, min(port + 101, 65536)) if port_is_free(host, p)),
        None,
    )
    hint = f'pass --port {free}' if free is not None else 'pass another --port'
    return ConfigError(f'port {port} is in use: {hint}')


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad arguments in one line before anything starts.

    ``--device``, ``--model`` (a config file or zoo name), ``--checkpoint`` (an
    existing file; only with ``--model``) and a ``--port`` that is in use.

    Raises:
        ConfigError: naming the argument and what to pass instead.
    """
    from inpaintzoo.apis.inference import resolve_device, resolve_model_config

    if args.device is not None:
        resolve_device(args.device, '--device')
    if args.checkpoint is not None:
        if args.model is None:
            raise ConfigError(
                f'--checkpoint {args.checkpoint} needs --model (its config file)'
            )
        if '://' not in args.checkpoint and not Path(args.checkpoint).is_file():
            raise ConfigError(f'--checkpoint {args.checkpoint} does not exist')
    if args.model is not None:
        resolve_model_config(args.model)  # a missing config or unknown zoo name
    if not port_is_free(args.host, args.port):
        raise port_in_use_error(args.host, args.port)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; the temporary folder is then removed."""
    check_arguments(args)  # one line for a bad argument, before any start-up
    temp_dir = tempfile.mkdtemp(prefix='inpaintzoo-web-')
    try:
        prepare_gradio_environment(temp_dir)
        app = import_app()
        app.serve(
            model=args.model,
            checkpoint=args.checkpoint,
            host=args.host,
            port=args.port,
            device=args.device,
            demo_root=args.demo_root,
            temp_dir=temp_dir,
        )
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    return 0
