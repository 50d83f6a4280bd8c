"""Train an inpainting model: ``python tools/train.py CONFIG [options]``."""

import argparse

from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.runner_setup import (
    build_runner,
    enable_amp,
    load_config,
    local_rank_to_env,
    setup_launcher,
    setup_resume,
    setup_strategy,
    shutdown_distributed,
)
from inpaintzoo.apis.work_dir_lock import lock_work_dir
from inpaintzoo.datasets.data_paths import check_data_paths, loaders_used_by_training
from inpaintzoo.engine.checkpoint import (
    UNSAFE_PICKLE_FLAG,
    UNSAFE_PICKLE_HELP,
    enable_unsafe_pickle,
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
        UNSAFE_PICKLE_FLAG, action='store_true', help=UNSAFE_PICKLE_HELP
    )
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none'
    )
    parser.add_argument(
        '--strategy',
        choices=['ddp', 'fsdp'],
        default='ddp',
        help='ddp: the Runner with DDP per sub-network (default); fsdp: '
        'FlexibleRunner sharding each sub-network with FSDP (needs --launcher '
        'pytorch or slurm; configs/_base_/strategies/fsdp.py)',
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=None)
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    local_rank_to_env(args.local_rank)
    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.strategy)
    check_data_paths(cfg, loaders_used_by_training(cfg), args.config)
    setup_strategy(cfg, args.strategy, args.launcher)
    setup_launcher(cfg, args.launcher)
    setup_resume(cfg, args.resume)
    if args.unsafe_load_pickle:
        enable_unsafe_pickle()
    if args.amp:
        enable_amp(cfg)
    lock_work_dir(cfg.work_dir)  # a second run into this work dir fails (rank 0)
    build_runner(cfg).train()
    shutdown_distributed()


if __name__ == '__main__':
    run_cli(main)
