"""Table-driven official -> inpaintzoo state-dict key converters.

A :class:`KeyConverter` holds templates such as ``'down{l}.proj.{p}'`` where each
``{name}`` is a placeholder with a fixed pattern (:data:`PLACEHOLDERS`). Every pair
compiles to an anchored regex in both directions, so the same table converts
official -> ours and back. Every official key must match a rule, be a documented
alias (checked to equal its canonical tensor) or a documented dead key; anything
else raises :class:`CheckpointMismatchError` naming the keys and the likely
architecture of the checkpoint.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch

from inpaintzoo.utils.errors import CheckpointMismatchError

PLACEHOLDERS = {
    'i': r'\d+',
    'k': r'\d+',
    'p': r'weight|bias',
    's': r'weight_orig|weight_u|weight_v|weight|bias',
}

# Ordered: the first architecture whose patterns all occur in a state dict's keys
# is reported as the checkpoint's likely architecture.
ARCH_SIGNATURES: dict[str, tuple[str, ...]] = {
    'nclg_discriminator': (r'^auto_attn\.', r'^conv1\.0\.'),
    'nclg': (r'^auto_attn\.', r'^(fc_landmark|encoder1)\.'),
    'mxt': (r'\.mam\.mamba\.',),
    'sem_net': (r'\.attn\.mamba\.',),
    'hint': (r'^down1_2\.proj\.', r'\.attn\.conv\.0\.'),
    'discriminator': (r'^conv1\.0\.',),
}


def compile_template(template: str) -> re.Pattern:
    """Anchored regex of a key template; repeated placeholders must match equally."""
    pattern = re.escape(template)
    for name, sub in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape('{' + name + '}'), f'(?P<{name}>{sub})', 1)
        pattern = pattern.replace(re.escape('{' + name + '}'), f'(?P={name})')
    return re.compile(f'^{pattern}$')


def _fill(template: str, match: re.Match) -> str:
    return template.format(**match.groupdict())


@dataclass
class KeyConverter:
    """Key tables of one architecture.

    Args:
        arch (str): Architecture name (``'hint'``, ``'discriminator'``, ...).
        checkpoint_key (str): Key of the state dict inside official checkpoint
            files (``'generator'`` or ``'discriminator'``).
        pairs (list[tuple[str, str]]): (official template, ours template), ordered.
        alternatives (list[tuple[str, str]]): official-only spellings (e.g.
            ``torch.nn.utils.parametrizations`` names) -> ours template; forward only.
        aliases (list[tuple[str, str]]): (alias template, canonical official
            template); alias tensors must equal the canonical ones and are dropped.
        dead (list[str]): official templates of documented dead keys (dropped).
    """

    arch: str
    checkpoint_key: str
    pairs: list[tuple[str, str]]
    alternatives: list[tuple[str, str]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        fwd = self.pairs + self.alternatives
        self._forward = [(compile_template(a), b) for a, b in fwd]
        self._inverse = [(compile_template(b), a) for a, b in self.pairs]
        self._aliases = [(compile_template(a), b) for a, b in self.aliases]
        self._dead = [compile_template(d) for d in self.dead]

    def map_key(self, key: str) -> str | None:
        """Our name of an official key, or None if no rule matches."""
        for pattern, template in self._forward:
            m = pattern.match(key)
            if m:
                return _fill(template, m)
        return None

    def inverse_key(self, key: str) -> str | None:
        """Official name of one of our keys, or None if no rule matches."""
        for pattern, template in self._inverse:
            m = pattern.match(key)
            if m:
                return _fill(template, m)
        return None

    def alias_target(self, key: str) -> str | None:
        """Canonical official key of an alias key, or None."""
        for pattern, template in self._aliases:
            m = pattern.match(key)
            if m:
                return _fill(template, m)
        return None

    def is_dead(self, key: str) -> bool:
        """Whether ``key`` is a documented dead (unused) official key."""
        return any(p.match(key) for p in self._dead)


CONVERTERS: dict[str, KeyConverter] = {}


def register_converter(converter: KeyConverter) -> KeyConverter:
    """Add a converter to :data:`CONVERTERS` under its ``arch``."""
    CONVERTERS[converter.arch] = converter
    return converter


def get_converter(arch: str) -> KeyConverter:
    """Look up a converter; raise ``KeyError`` listing the known ones."""
    if arch not in CONVERTERS:
        raise KeyError(f'no converter for arch {arch!r}; known: {sorted(CONVERTERS)}')
    return CONVERTERS[arch]


def guess_arch(keys: list[str]) -> str | None:
    """Likely architecture of a state dict from characteristic key names."""
    for arch, signature in ARCH_SIGNATURES.items():
        patterns = [re.compile(p) for p in signature]
        if all(any(p.search(k) for k in keys) for p in patterns):
            return arch
    return None


def summarize_keys(keys: list[str], limit: int = 8) -> str:
    """The first ``limit`` keys, comma-separated, with the total if cut."""
    shown = ', '.join(keys[:limit])
    return shown + (f', ... ({len(keys)} in all)' if len(keys) > limit else '')


def mismatch_error(arch: str, keys: list[str], problem: str) -> CheckpointMismatchError:
    """Error naming the problem and, if it differs, the checkpoint's likely arch."""
    guess = guess_arch(keys)
    if guess is not None and guess != arch:
        problem = (
            f'this looks like a {guess!r} checkpoint, not {arch!r} '
            f'(convert it with arch={guess!r}). {problem}'
        )
    return CheckpointMismatchError(problem)


def unwrap_checkpoint(checkpoint: Mapping, arch: str) -> dict[str, torch.Tensor]:
    """Official state dict from a raw state dict or an official checkpoint file dict.

    Accepts ``{'iteration', 'generator'}`` / ``{'discriminator'}`` file dicts,
    ``{'state_dict': ...}`` and bare state dicts; strips a ``module.`` prefix.
    """
    conv = get_converter(arch)
    if not isinstance(checkpoint, Mapping):
        raise CheckpointMismatchError(
            f'expected a state dict or checkpoint dict, got {type(checkpoint).__name__}'
        )
    sd = checkpoint
    if conv.checkpoint_key in sd and isinstance(sd[conv.checkpoint_key], Mapping):
        sd = sd[conv.checkpoint_key]
    elif 'state_dict' in sd and isinstance(sd['state_dict'], Mapping):
        sd = sd['state_dict']
    else:
        others = [k for k in ('generator', 'discriminator') if k in sd]
        if others:
            raise CheckpointMismatchError(
                f'{arch!r} needs the {conv.checkpoint_key!r} entry of an official '
                f'checkpoint, but this file holds {others}'
            )
    bad = [k for k, v in sd.items() if not torch.is_tensor(v)]
    if bad:
        raise CheckpointMismatchError(
            f'non-tensor entries in state dict: {summarize_keys(bad)}'
        )
    return {re.sub(r'^module\.', '', k): v for k, v in sd.items()}
