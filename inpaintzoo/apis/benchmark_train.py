"""Time and peak memory of full G + D training iterations of a config.

:func:`benchmark_train_case` builds the config's whole model (generator,
discriminator, losses; the VGG of the perceptual / style losses with random
weights, nothing is downloaded) and its optimisers, then runs ``iters``
``model.train_step`` calls on one random batch (uint8 images, free-form masks,
landmarks for NCLG-MT). The first call is the warm-up (it also allocates the Adam
states); the time is the median of the others.

Memory on the CPU is the peak resident set size (``VmHWM``) of the process that
ran the case: Python, torch, the weights, gradients, Adam states, the frozen VGG
and the activations of the steps. :func:`run_case_subprocess` runs each case in a
fresh interpreter so one case's peak does not leak into the next. On CUDA it is
``torch.cuda.max_memory_allocated`` (tensors only).
"""

import ast
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from inpaintzoo.apis.cfg_options import warn_unknown_cfg_keys
from inpaintzoo.apis.cli import USER_ERROR_EXIT, run_cli
from inpaintzoo.datasets.masks.free_form import FreeFormMask
from inpaintzoo.registry import MODELS
from inpaintzoo.structures import InpaintSample
from inpaintzoo.utils.errors import ConfigError
from inpaintzoo.utils.memory import peak_rss_mib

#: loss types whose frozen feature network needs pretrained (downloaded) weights
FEATURE_LOSSES = ('PerceptualLoss', 'StyleLoss')
#: marker before the JSON result line a case subprocess prints
RESULT_MARKER = 'BENCHMARK_TRAIN_RESULT '


@dataclass
class TrainBenchResult:
    """One case: ``iters`` train steps of ``config`` with one ``with_cp`` value.

    Attributes:
        config (str): config file.
        with_cp: the generator's ``with_cp`` value of this case.
        device (str): ``'cpu'`` or the CUDA device name.
        batch (int): batch size N.
        height (int): image height H.
        width (int): image width W.
        threads (int): torch CPU threads.
        times_s (list[float]): seconds of every step, warm-up first.
        median_s (float): median of the steps after the warm-up.
        cpu_times_s (list[float]): CPU seconds of this process (all its threads)
            per step; less sensitive than wall time to other load on a shared
            machine (with ``threads=1`` about the step's compute).
        median_cpu_s (float): median CPU seconds after the warm-up.
        start_mib (float): RSS (CPU) / allocated (CUDA) before the first step:
            Python, torch, weights, frozen VGG.
        peak_mib (float): peak RSS of the case process (CPU) or peak allocated
            tensor memory (CUDA) over all steps, MiB.
        gen_params (int): generator parameters.
        disc_params (int): discriminator parameters.
    """

    config: str
    with_cp: Any
    device: str
    batch: int
    height: int
    width: int
    threads: int
    times_s: list[float]
    median_s: float
    cpu_times_s: list[float]
    median_cpu_s: float
    start_mib: float
    peak_mib: float
    gen_params: int
    disc_params: int

    def to_dict(self) -> dict:
        """JSON-ready record."""
        return asdict(self)


def parse_with_cp(text: str) -> Any:
    """``'off'`` -> False, ``'on'`` -> True, else a Python literal.

    E.g. ``'[True,True,False,False]'`` (InpaintUNet levels) or ``"['middle']"``
    (NCLG-MT stages); the generator validates the value.
    """
    word = text.strip().lower()
    if word in ('off', 'false'):
        return False
    if word in ('on', 'true'):
        return True
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ConfigError(
            f"--with-cp values are 'off', 'on' or a Python literal such as "
            f'[True,True,False,False]; got {text!r}'
        ) from exc


def offline_feature_losses(losses: dict | None) -> int:
    """Give every perceptual / style loss a randomly initialised VGG (in place).

    Sets ``feature_net.weights = None`` (the loss's offline option), so building
    the model downloads nothing; the cost per step is the same as with the
    ImageNet weights.

    Args:
        losses (dict | None): ``model.losses`` of a config.

    Returns:
        int: how many losses were changed.
    """
    changed = 0
    for loss in (losses or {}).values():
        if isinstance(loss, dict) and loss.get('type') in FEATURE_LOSSES:
            feature_net = dict(loss.get('feature_net') or {})
            feature_net['weights'] = None
            loss['feature_net'] = feature_net
            changed += 1
    return changed


def load_train_config(
    config: str, with_cp: Any, cfg_options: dict | None = None
) -> Config:
    """The config with ``cfg_options`` merged, ``with_cp`` set, offline losses.

    Raises:
        FileNotFoundError: ``config`` does not exist.
        ConfigError: the config has no ``model.generator`` or ``optim_wrapper``.
    """
    if not os.path.isfile(config):
        raise FileNotFoundError(f'config file {config} does not exist')
    cfg = Config.fromfile(config)
    if cfg_options:
        warn_unknown_cfg_keys(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    if 'generator' not in cfg.get('model', {}) or 'optim_wrapper' not in cfg:
        raise ConfigError(
            f'{config} needs model.generator and optim_wrapper to benchmark training'
        )
    cfg.model.generator.with_cp = with_cp
    offline_feature_losses(cfg.model.get('losses'))
    return cfg


def random_batch(
    shape: tuple[int, int], batch: int, num_points: int | None, seed: int = 0
) -> dict:
    """A training batch as the dataloader yields it.

    Args:
        shape (tuple[int, int]): (H, W).
        batch (int): N.
        num_points (int | None): landmarks per image (NCLG-MT), None for none.
        seed (int): RNG seed.

    Returns:
        dict: ``inputs``: ``img`` N x (3, H, W) uint8, ``mask`` N x (1, H, W)
        float32 free-form masks (1 = hole), optional ``landmarks`` N x (K, 2)
        pixel (x, y); ``data_samples``: N empty samples.
    """
    h, w = shape
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    scale = max(h, w) / 256
    masks = FreeFormMask(
        max_length=60 * scale,
        brush_width=(max(1, int(10 * scale)), int(24 * scale) + 1),
    )
    inputs = dict(
        img=[
            torch.randint(0, 256, (3, h, w), generator=gen, dtype=torch.uint8)
            for _ in range(batch)
        ],
        mask=[
            torch.from_numpy(masks.generate((h, w), rng))[None] for _ in range(batch)
        ],
    )
    if num_points:
        size = torch.tensor([float(w), float(h)])
        inputs['landmarks'] = [
            torch.rand(num_points, 2, generator=gen) * size for _ in range(batch)
        ]
    return dict(inputs=inputs, data_samples=[InpaintSample() for _ in range(batch)])


def _rss_mib() -> float:
    """Current resident set size in MiB (Linux ``VmRSS``; else the peak)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mib()


def _numel(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def benchmark_train_case(
    config: str,
    with_cp: Any = False,
    shape: tuple[int, int] = (256, 256),
    batch: int = 1,
    iters: int = 3,
    device: str = 'cpu',
    cfg_options: dict | None = None,
    seed: int = 0,
) -> TrainBenchResult:
    """Run ``iters`` full training steps of ``config`` in this process.

    Args:
        config (str): config file with ``model`` and ``optim_wrapper``.
        with_cp: the generator's ``with_cp`` for this case.
        shape (tuple[int, int]): (H, W).
        batch (int): batch size.
        iters (int): steps, the first is the warm-up; at least 2.
        device (str): ``'cpu'`` or ``'cuda[:i]'``.
        cfg_options (dict, optional): config overrides (``--cfg-options``).
        seed (int): seed of the weights and the batch.

    Returns:
        TrainBenchResult: the timings and memory (CPU: peak RSS of this whole
        process so far, run it in a fresh one: :func:`run_case_subprocess`).

    Raises:
        ConfigError: ``iters < 2``, a non-positive shape or batch, a CUDA device
            on a machine without one.
    """
    if iters < 2 or batch < 1 or min(shape) < 1:
        raise ConfigError(
            f'iters must be >= 2 (one warm-up) and batch, shape >= 1; got '
            f'iters={iters}, batch={batch}, shape={tuple(shape)}'
        )
    is_cuda = device.startswith('cuda')
    if is_cuda and not torch.cuda.is_available():
        raise ConfigError(f'device {device!r} asked for, but there is no CUDA device')
    init_default_scope('inpaintzoo')
    cfg = load_train_config(config, with_cp, cfg_options)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model).to(device).train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    num_points = None
    if getattr(model, 'landmark_loss', None) is not None:
        num_points = int(getattr(model.generator, 'num_points', 68))
    data = random_batch(tuple(shape), batch, num_points, seed)
    if is_cuda:
        torch.cuda.reset_peak_memory_stats()
        start = torch.cuda.memory_allocated() / 2**20
    else:
        start = _rss_mib()
    times, cpu_times = [], []
    for _ in range(iters):
        if is_cuda:
            torch.cuda.synchronize()
        tic, cpu_tic = time.perf_counter(), time.process_time()
        model.train_step(data, optim_wrapper)
        if is_cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - tic)
        cpu_times.append(time.process_time() - cpu_tic)
    peak = torch.cuda.max_memory_allocated() / 2**20 if is_cuda else peak_rss_mib()
    return TrainBenchResult(
        config=config,
        with_cp=with_cp,
        device=torch.cuda.get_device_name() if is_cuda else 'cpu',
        batch=batch,
        height=shape[0],
        width=shape[1],
        threads=torch.get_num_threads(),
        times_s=times,
        median_s=statistics.median(times[1:]),
        cpu_times_s=cpu_times,
        median_cpu_s=statistics.median(cpu_times[1:]),
        start_mib=start,
        peak_mib=peak,
        gen_params=_numel(model.generator),
        disc_params=_numel(model.discriminator),
    )


def run_case_subprocess(threads: int | None = None, **case: Any) -> TrainBenchResult:
    """:func:`benchmark_train_case` in a fresh Python process (own peak RSS).

    Args:
        threads (int, optional): torch threads of the child (``--threads``).
        **case: keyword arguments of :func:`benchmark_train_case` (JSON-able).

    Raises:
        ConfigError: the child rejected the case (bad ``with_cp``, config, ...),
            with the child's one-line message.
        RuntimeError: the child failed otherwise; the message holds the end of
            its stderr.
    """
    payload = json.dumps(dict(case, threads=threads))
    proc = subprocess.run(
        [sys.executable, '-m', 'inpaintzoo.apis.benchmark_train', payload],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return TrainBenchResult(**json.loads(line[len(RESULT_MARKER) :]))
    last = (proc.stderr.strip().splitlines() or [''])[-1]
    if proc.returncode == USER_ERROR_EXIT and last.startswith('error: '):
        raise ConfigError(f'benchmark case with_cp={case.get("with_cp")!r}: {last[7:]}')
    raise RuntimeError(
        f'benchmark case {case} failed (exit status {proc.returncode}):\n'
        f'{proc.stderr[-3000:]}'
    )


def format_table(results: list[TrainBenchResult]) -> str:
    """Markdown table of the cases; time ratios are against the first case."""
    lines = [
        '| config | with_cp | N x H x W | threads | median s/iter | x first '
        '| median CPU s/iter | x first | start MiB | peak MiB |',
        '|---|---|---|---|---|---|---|---|---|---|',
    ]
    base = results[0] if results else None
    for r in results:
        lines.append(
            f'| {os.path.basename(r.config)} | {r.with_cp} | '
            f'{r.batch}x{r.height}x{r.width} | {r.threads} | {r.median_s:.2f} | '
            f'{r.median_s / base.median_s:.2f} | {r.median_cpu_s:.2f} | '
            f'{r.median_cpu_s / base.median_cpu_s:.2f} | {r.start_mib:.0f} | '
            f'{r.peak_mib:.0f} |'
        )
    return '\n'.join(lines)


def _child_main(payload: str) -> None:
    case = json.loads(payload)
    threads = case.pop('threads', None)
    if threads:
        torch.set_num_threads(threads)
    case['shape'] = tuple(case['shape'])
    result = benchmark_train_case(**case)
    print(RESULT_MARKER + json.dumps(result.to_dict()), flush=True)


if __name__ == '__main__':
    run_cli(lambda: _child_main(sys.argv[1]))
