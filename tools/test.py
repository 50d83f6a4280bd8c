"""Test a trained model: ``python tools/test.py CONFIG CHECKPOINT [options]``."""

import argparse
import json
import os.path as osp

from mmengine.runner import Runner

from inpaintzoo.apis.checkpoint_loading import load_model_checkpoint
from inpaintzoo.apis.cli import add_cfg_options_argument, add_debug_argument, run_cli
from inpaintzoo.apis.runner_setup import (
    load_config,
    local_rank_to_env,
    setup_launcher,
    shutdown_distributed,
)
from inpaintzoo.apis.testing_setup import (
    check_test_checkpoint,
    checkpoint_test_dir,
    prepare_out_file,
)
from inpaintzoo.apis.work_dir_lock import lock_work_dir
from inpaintzoo.datasets.data_paths import TEST_LOADERS, check_data_paths
from inpaintzoo.evaluation.report import (
    format_report_table,
    metrics_to_counts,
    metrics_to_report,
)
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.freed_memory import (
    add_freed_memory_argument,
    apply_freed_memory_argument,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test an inpaintzoo model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint path or URL')
    parser.add_argument(
        '--work-dir',
        help='where logs go (default: <config work dir>/test_<checkpoint stem>, '
        'so a test can run while that config trains)',
    )
    parser.add_argument(
        '--out', help='write the metrics as nested JSON here (folder created)'
    )
    parser.add_argument(
        '--save-images',
        metavar='DIR',
        help='write every composite as DIR/<image stem>.png, quantised exactly as '
        'PSNR/SSIM score it (DIR/<bucket>/<stem>.png when the test scores each '
        'image once per hole-ratio bucket)',
    )
    parser.add_argument(
        '--save-inputs',
        action='store_true',
        help='with --save-images: also write the scored GT (DIR/gt/) and masks '
        '(DIR/masks/), so evaluate_folder.py reproduces PSNR/SSIM exactly',
    )
    parser.add_argument(
        '--csv',
        metavar='FILE',
        help='write per-image scores: stem, mask_ratio, bucket, metrics, excluded',
    )
    parser.add_argument(
        '--progress-interval',
        type=int,
        metavar='N',
        help='log progress every N batches (default: about every 5%%)',
    )
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none'
    )
    parser.add_argument('--local_rank', '--local-rank', type=int, default=None)
    add_freed_memory_argument(parser)
    add_debug_argument(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    apply_freed_memory_argument(args)
    local_rank_to_env(args.local_rank)
    cfg = load_config(args.config, args.cfg_options, args.work_dir)
    check_test_checkpoint(args.checkpoint)
    if args.work_dir is None and 'work_dir' not in (args.cfg_options or {}):
        cfg.work_dir = checkpoint_test_dir(cfg.work_dir, args.checkpoint)
    if args.out:
        prepare_out_file(args.out)  # its folder now, not after hours of testing
    check_data_paths(cfg, TEST_LOADERS, args.config)
    setup_launcher(cfg, args.launcher)
    cfg.load_from = None  # loaded strictly below instead of MMEngine's strict=False
    if args.save_inputs and not args.save_images:
        raise ConfigError('--save-inputs needs --save-images DIR')
    if args.save_inputs and cfg.model.get('type') == 'Restorer':
        raise ConfigError(
            '--save-inputs writes inpainting masks; a restorer (model.type '
            "'Restorer') has none: use --save-images alone"
        )
    hooks = [dict(type='TestProgressHook', interval=args.progress_interval)]
    if args.save_images:
        hooks.append(
            dict(
                type='SaveInpaintedImagesHook',
                out_dir=osp.abspath(args.save_images),
                save_inputs=args.save_inputs,
            )
        )
    if args.csv:
        hooks.append(dict(type='PerImageScoresHook', out_file=osp.abspath(args.csv)))
    cfg.custom_hooks = [*cfg.get('custom_hooks', []), *hooks]
    # as tools/train.py: a run already writing into this work dir makes this fail
    lock_work_dir(cfg.work_dir)
    runner = Runner.from_cfg(cfg)
    load_model_checkpoint(runner.model, args.checkpoint)
    metrics = runner.test()
    report = metrics_to_report(metrics)
    counts = metrics_to_counts(metrics)
    print(format_report_table(report, counts or None))
    if counts.get('excluded_empty_mask'):
        print(f'{counts["excluded_empty_mask"]} image(s) with an empty mask excluded')
    if args.out:
        with open(args.out, 'w') as f:  # groups first, then the image counts
            json.dump({**report, 'counts': counts}, f, indent=2)
    shutdown_distributed()


if __name__ == '__main__':
    run_cli(main)
