"""README demo: ``python tools/run_demo.py [--model hint] [--iters N]``."""

import argparse

from inpaintzoo.apis.demo import DEMO_CONFIGS, run_demo


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train and evaluate on demo data')
    parser.add_argument('--model', choices=sorted(DEMO_CONFIGS), default='hint')
    parser.add_argument('--data-root', default='data/demo')
    parser.add_argument('--work-root', default='work_dirs/demo')
    parser.add_argument('--iters', type=int, default=None, help='override iterations')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_demo(args.model, args.data_root, args.work_root, args.iters)


if __name__ == '__main__':
    main()
