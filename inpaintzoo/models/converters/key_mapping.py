"""Table-driven official -> inpaintzoo state-dict key converters.

A :class:`KeyConverter` holds templates such as ``'down{l}.proj.{p}'`` where each
``{name}`` is a placeholder with a fixed pattern (:data:`PLACEHOLDERS`). Every pair
compiles to an anchored regex in both directions, so the same table converts
official -> ours and back. Every official key must match a rule, be a documented
alias (checked to equal its canonical tensor) or a documented dead key; anything
else raises :class:`CheckpointMismatchError` naming the keys and the likely
architecture of the checkpoint (see :mod:`.base`). Helpers shared by the
per-architecture modules live here; nothing in this module is architecture-specific.
"""

import re
from dataclasses import dataclass, field

PLACEHOLDERS = {
    'i': r'\d+',
    'k': r'\d+',
    'p': r'weight|bias',
    's': r'weight_orig|weight_u|weight_v|weight|bias',
}

#: Signatures of official architectures inpaintzoo has no converter for, so that a
#: checkpoint of theirs is still named in errors: (priority, arch, patterns); see
#: :meth:`OfficialConverter.signature` for the converters' own ones.
FOREIGN_SIGNATURES: list[tuple[int, str, tuple[str, ...]]] = []


def signature_matches(signature: tuple[str, ...], keys: list[str]) -> bool:
    """Whether every regex of ``signature`` is found in at least one key."""
    patterns = [re.compile(p) for p in signature]
    return bool(patterns) and all(any(p.search(k) for k in keys) for p in patterns)


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


def summarize_keys(keys: list[str], limit: int = 8) -> str:
    """The first ``limit`` keys, comma-separated, with the total if cut."""
    shown = ', '.join(keys[:limit])
    return shown + (f', ... ({len(keys)} in all)' if len(keys) > limit else '')
