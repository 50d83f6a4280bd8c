"""One line for MMEngine's "X is not in the <scope>::<name> registry" ``KeyError``.

Two causes are told apart:

* a misspelt ``type=``: the line suggests the closest registered names
  (``difflib``), from the registry that was searched, its parents and the
  scoped names of its children (``'myproj.MyBlock'``);
* a name inpaintzoo does register, looked up in another scope's registry: with
  ``default_scope='myproj'`` MMEngine searches myproj's registry and its parents
  but never imports the parents' lazy ``locations``, and falls back to
  MMEngine's root registry for kinds myproj has no registry of (hooks, ...).
"""

import difflib
import re

from mmengine.registry import DefaultScope, Registry

from inpaintzoo import registry as ours

#: MMEngine's message: "<type> is not in the <scope>::<name> registry. Please ..."
_MISS = re.compile(
    r'^(?P<type>\S+) is not in the (?:(?P<scope>[\w.]+)::)?(?P<name>.+?) registry\.'
)


def _our_registry(name: str) -> Registry | None:
    """The inpaintzoo registry of kind ``name`` ('model', 'hook', ...)."""
    for value in vars(ours).values():
        if (
            isinstance(value, Registry)
            and value.name == name
            and value.scope == 'inpaintzoo'
        ):
            return value
    return None


def _searched(scope: str | None, name: str) -> Registry | None:
    """The registry MMEngine searched, found from inpaintzoo's of that kind."""
    reg = _our_registry(name)
    if reg is None or scope in (None, 'inpaintzoo'):
        return reg
    if reg.parent is not None and reg.parent.scope == scope:
        return reg.parent
    return reg.children.get(scope)


def _names(reg: Registry) -> list[str]:
    """Names ``reg`` resolves: its own and its parents', and its children scoped."""
    names: list[str] = []
    node: Registry | None = reg
    while node is not None:
        node.import_from_location()
        names += list(node.module_dict)
        node = node.parent
    for scope, child in reg.children.items():
        names += [f'{scope}.{n}' for n in child.module_dict]
    return sorted(set(names))


def _current_scope() -> str | None:
    current = DefaultScope.get_current_instance()
    return None if current is None else current.scope_name


def registry_miss_message(text: str) -> str | None:
    """The one-line message for a registry miss, or None if ``text`` is none.

    Args:
        text (str): the ``KeyError``'s message.

    Returns:
        str | None: ``"<type> is not in the <scope> <name> registry (...)"`` with
        the real cause: a scope that cannot see inpaintzoo's classes, or a
        misspelt ``type=`` with the closest registered names.
    """
    m = _MISS.match(text)
    if m is None:
        return None
    type_, scope, name = m.group('type'), m.group('scope'), m.group('name')
    head = f'{type_} is not in the {f"{scope} " if scope else ""}{name} registry'
    real = type_.rsplit('.', 1)[-1]
    inpaintzoo_reg = _our_registry(name)
    if scope not in (None, 'inpaintzoo') and inpaintzoo_reg is not None:
        inpaintzoo_reg.import_from_location()
        if real in inpaintzoo_reg.module_dict:
            # MMEngine names its root ('mmengine') where the scope has no registry
            default = (_current_scope() if scope == 'mmengine' else None) or scope
            return (
                f"{head}, but inpaintzoo's {name} registry has it: with "
                f'default_scope={default!r} MMEngine looks it up in the {default} '
                f"{name} registry, or in MMEngine's root one where {default} has "
                "none, and neither sees inpaintzoo's classes. Keep "
                "default_scope='inpaintzoo' and name your own classes with their "
                f"scope, type='{default}.MyClass' (see docs/customize.md)"
            )
    searched = _searched(scope, name)
    close = difflib.get_close_matches(type_, _names(searched), n=3) if searched else []
    hint = 'misspelt type= in the config?'
    if close:
        hint += ' did you mean ' + ' or '.join(repr(c) for c in close) + '?'
    elif '.' not in type_:
        hint += (
            ' A class of your own package: import it with custom_imports (see '
            'docs/customize.md)'
        )
    return f'{head} ({hint})'
