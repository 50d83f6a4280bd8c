"""Convert official HINT checkpoints to an inpaintzoo checkpoint.

Example::

    python tools/model_converters/hint_official.py InpaintingModel_gen.pth \
        hint_official.pth --dis InpaintingModel_dis.pth

The output is ``{'state_dict': {'generator.<k>': ..., 'discriminator.<k>': ...},
'meta': {...}}``. The generator shape is read off the checkpoint; every key must
be mapped (or be a documented alias), and shapes are checked against the model.
"""

import argparse
import sys

import torch

from inpaintzoo.models.converters import convert_official, unwrap_checkpoint
from inpaintzoo.models.converters.official import (
    infer_hint_kwargs,
    official_kwargs_to_config,
)
from inpaintzoo.registry import MODELS
from inpaintzoo.utils.errors import CheckpointMismatchError, ConfigError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('generator', help='official InpaintingModel_gen.pth')
    parser.add_argument('out', help='output inpaintzoo checkpoint (.pth)')
    parser.add_argument('--dis', help='official InpaintingModel_dis.pth')
    return parser.parse_args(argv)


def convert_files(gen_path: str, dis_path: str | None = None) -> dict:
    """Convert official files into an inpaintzoo checkpoint dict."""
    raw = torch.load(gen_path, map_location='cpu', weights_only=True)
    gen_sd = unwrap_checkpoint(raw, 'hint')
    convert_official(gen_sd, 'hint')  # key check first: names a foreign arch
    kwargs = infer_hint_kwargs(gen_sd)
    generator = MODELS.build(official_kwargs_to_config('hint', kwargs))
    result = convert_official(gen_sd, 'hint', generator)
    state = {f'generator.{k}': v for k, v in result.state_dict.items()}
    meta = dict(
        source_generator=str(gen_path),
        official_kwargs=kwargs,
        dropped_keys=dict(result.dropped),
    )
    if isinstance(raw, dict) and 'iteration' in raw:
        meta['iteration'] = int(raw['iteration'])
    if dis_path is not None:
        raw_d = torch.load(dis_path, map_location='cpu', weights_only=True)
        disc = MODELS.build(dict(type='PatchDiscriminator'))
        res_d = convert_official(raw_d, 'discriminator', disc)
        state.update({f'discriminator.{k}': v for k, v in res_d.state_dict.items()})
        meta['source_discriminator'] = str(dis_path)
        meta['dropped_keys'].update(res_d.dropped)
    return dict(state_dict=state, meta=meta)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ckpt = convert_files(args.generator, args.dis)
    except (CheckpointMismatchError, ConfigError, OSError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 2
    torch.save(ckpt, args.out)
    print(f'official kwargs: {ckpt["meta"]["official_kwargs"]}')
    for key, why in ckpt['meta']['dropped_keys'].items():
        print(f'dropped {key}: {why}')
    print(f'unmapped keys: none; wrote {len(ckpt["state_dict"])} tensors to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
