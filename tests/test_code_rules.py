"""Project rules checked on the source: public functions carry type hints."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / 'inpaintzoo'
#: methods checked although their names start with an underscore
CHECKED_DUNDERS = ('__init__', '__call__')


def _unannotated(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Parameter names (and ``'return'``) of ``func`` without an annotation."""
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    missing = [
        p.arg for p in params if p.annotation is None and p.arg not in ('self', 'cls')
    ]
    return [*missing, 'return'] if func.returns is None else missing


def missing_hints(source: str, name: str) -> list[str]:
    """``'name:line function [params]'`` of each public function lacking hints.

    Public: module-level functions and methods whose names do not start with an
    underscore, plus ``__init__`` / ``__call__``; functions nested in functions
    are private helpers and not checked. ``*args`` / ``**kwargs`` may go bare.
    """
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                public = not child.name.startswith('_') or child.name in CHECKED_DUNDERS
                missing = _unannotated(child) if public and not in_function else []
                if missing:
                    found.append(f'{name}:{child.lineno} {child.name} {missing}')
                visit(child, True)
            else:
                visit(child, in_function)

    visit(ast.parse(source), False)
    return found


def test_the_check_finds_a_missing_hint():
    source = (
        'def ok(x: int) -> int:\n    def inner(y): return y\n    return x\n'
        'class A:\n    def __init__(self, n): pass\n    def _private(self, z): pass\n'
    )
    assert missing_hints(source, 'm') == ["m:5 __init__ ['n', 'return']"]


def test_public_functions_of_the_package_have_type_hints():
    problems = []
    for path in sorted(PACKAGE.rglob('*.py')):
        rel = path.relative_to(PACKAGE.parent)
        problems += missing_hints(path.read_text(encoding='utf-8'), str(rel))
    assert not problems, 'public functions without type hints:\n' + '\n'.join(problems)
