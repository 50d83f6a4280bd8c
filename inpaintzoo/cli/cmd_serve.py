"""``inpaintzoo serve``: the browser app (Gradio, optional extra ``[web]``).

Only this subcommand imports Gradio, and only when it runs: ``inpaintzoo list``
and ``import inpaintzoo`` never do. Before the import it switches Gradio's usage
analytics off and points Gradio's upload folder at a temporary folder of this
process, removed when the server stops.
"""

import argparse
import os
import shutil
import tempfile
from typing import Any

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
        '(the menu also lists the demo checkpoints and the downloaded zoo models)',
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
        help='where `make demo` wrote its checkpoints (default: work_dirs/demo)',
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


def run_serve(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; the temporary folder is then removed."""
    if args.device is not None:  # one line for a bad --device, before any start-up
        from inpaintzoo.apis.inference import resolve_device

        resolve_device(args.device, '--device')
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
