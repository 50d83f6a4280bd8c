"""keep_freed_memory: glibc keeps freed blocks (no page faults on reuse), any thread."""

import argparse
import json
import subprocess
import sys
import textwrap

import pytest

from inpaintzoo.utils import freed_memory

glibc_only = pytest.mark.skipif(
    not freed_memory.is_glibc(), reason='mallopt settings are glibc only'
)

#: a child process: page faults of allocating, filling and freeing a 96 MiB
#: tensor 4 times, after 8 times that settle the heap (with kept memory the first
#: few may still grow it: each 64-byte-aligned block needs a little more than a
#: freed one until neighbouring free blocks have merged), on the main thread and
#: on a new thread
CHILD = textwrap.dedent(
    """
    import json, resource, sys, threading
    import torch
    from inpaintzoo.utils.freed_memory import keep_freed_memory
    kept = keep_freed_memory() if sys.argv[1] == 'keep' else False

    def faults(out, key):
        for _ in range(8):
            torch.empty(24 << 20).fill_(1.0)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(4):
            torch.empty(24 << 20).fill_(1.0)  # 96 MiB, freed at once
        out[key] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    out = {'kept': kept}
    faults(out, 'main')
    thread = threading.Thread(target=faults, args=(out, 'thread'))
    thread.start()
    thread.join()
    print(json.dumps(out))
    """
)

#: page faults of mapping 96 MiB afresh four times (4 KiB pages): 4 * 24,576
FRESH_FAULTS = 4 * (96 << 20) // 4096


def run_child(mode: str, code: str = CHILD) -> dict:
    """Run ``code`` in a fresh Python with ``mode``; its last line as JSON."""
    done = subprocess.run(
        [sys.executable, '-c', code, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@glibc_only
def test_kept_memory_is_reused_without_page_faults_on_any_thread() -> None:
    default, kept = run_child('default'), run_child('keep')
    assert kept['kept'] is True
    assert default['kept'] is False
    # glibc's defaults: each 96 MiB tensor is mapped afresh and faulted in
    # again (on the main thread too: its mmap threshold is at most 32 MiB)
    assert default['main'] > FRESH_FAULTS // 2
    assert default['thread'] > FRESH_FAULTS // 2
    # kept: the freed block is reused, also by a thread (one shared arena)
    assert kept['main'] < FRESH_FAULTS // 8
    assert kept['thread'] < FRESH_FAULTS // 8


def test_no_op_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freed_memory.platform, 'libc_ver', lambda: ('', ''))
    monkeypatch.setattr(freed_memory, '_state', {'kept': False})
    assert freed_memory.keep_freed_memory() is False


def test_importing_the_package_keeps_the_defaults() -> None:
    """Only programs opt in: ``import inpaintzoo`` and its APIs change nothing."""
    code = (
        'import inpaintzoo, inpaintzoo.apis, inpaintzoo.cli.main\n'
        'from inpaintzoo.utils import freed_memory\n'
        'print(freed_memory._state["kept"])'
    )
    done = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == 'False'


def test_argument_defaults_to_keep_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    monkeypatch.setenv(freed_memory.ENV_VAR, 'on')
    monkeypatch.setattr(
        freed_memory, 'keep_freed_memory', lambda: calls.append(1) or True
    )
    parser = argparse.ArgumentParser()
    freed_memory.add_freed_memory_argument(parser)
    assert freed_memory.apply_freed_memory_argument(parser.parse_args([])) is True
    assert calls == [1]
    args = parser.parse_args(['--no-keep-freed-memory'])
    assert freed_memory.apply_freed_memory_argument(args) is False
    assert calls == [1]
    # a namespace without the option (a command that does not offer it): no
    assert freed_memory.apply_freed_memory_argument(argparse.Namespace()) is False


#: a child process: RSS (MiB) after freeing a filled 512 MiB tensor, then after
#: release_freed_memory(), and what release_freed_memory() returned
RELEASE_CHILD = textwrap.dedent(
    """
    import json, sys
    import torch
    from inpaintzoo.utils import freed_memory

    def rss():
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024

    if sys.argv[1] == 'keep':
        freed_memory.keep_freed_memory()
    torch.empty(128 << 20).fill_(1.0)  # 512 MiB, freed at once
    kept = rss()
    released = freed_memory.release_freed_memory()
    print(json.dumps({'kept': kept, 'after': rss(), 'released': released}))
    """
)


@glibc_only
def test_release_gives_kept_memory_back_and_is_a_no_op_otherwise() -> None:
    kept = run_child('keep', RELEASE_CHILD)
    assert kept['released'] is True
    assert kept['kept'] - kept['after'] > 400  # MiB: the freed 512 MiB block
    default = run_child('default', RELEASE_CHILD)
    assert default['released'] is False  # glibc unmapped the block on free
    assert default['kept'] - default['after'] < 100
