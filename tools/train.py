"""Train an inpainting model: ``python tools/train.py CONFIG [options]``."""

import argparse

from mmengine.config import DictAction
from mmengine.runner import Runner

from inpaintzoo.apis.runner_setup import (
    enable_amp,
    load_config,
    local_rank_to_env,
    setup_launcher,
    setup_resume,
    shutdown_distributed,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an inpaintzoo model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        help='resume from a checkpoint path, or without a value from the latest '
        'checkpoint of the work dir',
    )
    parser.add_argument('--amp', action='store_true', help='mixed precision (GPU)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config values, e.g. train_cfg.max_iters=100',
    )
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none'
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=None)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    local_rank_to_env(args.local_rank)
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    setup_launcher(cfg, args.launcher)
    setup_resume(cfg, args.resume)
    if args.amp:
        enable_amp(cfg)
    Runner.from_cfg(cfg).train()
    shutdown_distributed()


if __name__ == '__main__':
    main()
