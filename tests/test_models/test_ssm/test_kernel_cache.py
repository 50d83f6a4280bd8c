"""Loading the fused CPU kernel safely: private folders, manifests, failure records.

Most tests use a fake compiler (a shell script that copies an already built
kernel to its ``-o`` target and logs its arguments), so they never wait for GCC.
"""

import ctypes
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import torch

from inpaintzoo.models.ssm import cpu_kernel, kernel_abi, scan_dispatch
from inpaintzoo.models.ssm.cpu_kernel import load_kernel
from inpaintzoo.models.ssm.scan_dispatch import (
    choose_scan_backend,
    selective_scan_fn,
    set_scan_impl,
)
from inpaintzoo.models.ssm.scan_reference import selective_scan_sequential
from tests.test_models.test_ssm.test_selective_scan import make_inputs, scan_kwargs

REPO_ROOT = Path(__file__).resolve().parents[3]
POSIX = hasattr(os, 'geteuid')
needs_posix = pytest.mark.skipif(not POSIX, reason='POSIX owner/mode checks')
REAL_CC = cpu_kernel._compiler()  # before any test points $CC at the fake one


@pytest.fixture(scope='session')
def prebuilt() -> Path:
    """A kernel built by the real compiler (the user's normal cache)."""
    load_kernel.cache_clear()
    lib = load_kernel()
    if lib is None:
        if cpu_kernel._compiler() is None:
            pytest.skip('no C compiler on this machine: nothing to cache')
        pytest.fail('a C compiler is present but the kernel did not build')
    return Path(lib.path)


@pytest.fixture
def fake_cc(tmp_path, prebuilt, monkeypatch):
    """$CC = a script copying ``prebuilt`` to its -o target; returns the call log.

    It fails (exit 1, a message on stderr) when its arguments contain
    ``$FAKECC_FAIL_ON``.
    """
    log = tmp_path / 'cc.log'
    script = tmp_path / 'bin' / 'fakecc'
    script.parent.mkdir()
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            echo "$*" >> '{log}'
            case " $* " in *" --version "*) echo "fakecc 1.0"; exit 0;; esac
            if [ -n "$FAKECC_FAIL_ON" ]; then
              case " $* " in *"$FAKECC_FAIL_ON"*)
                echo "fakecc: error: unsupported option $FAKECC_FAIL_ON" >&2; exit 1;;
              esac
            fi
            out=""; prev=""
            for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
            cp '{prebuilt}' "$out"
            """
        )
    )
    script.chmod(0o755)
    monkeypatch.setenv('CC', str(script))
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(tmp_path / 'cache'))
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path / 'tmp'))
    (tmp_path / 'tmp').mkdir()
    load_kernel.cache_clear()
    yield log
    load_kernel.cache_clear()


def builds(log: Path) -> list[str]:
    """Compiler invocations recorded by the fake compiler (not --version)."""
    if not log.exists():
        return []
    return [ln for ln in log.read_text().splitlines() if '--version' not in ln]


def manifest_of(folder: Path) -> tuple[Path, dict]:
    (manifest,) = folder.glob('selective_scan_cpu-*.json')
    return manifest, json.loads(manifest.read_text())


def replace_bytes(path: Path, content: bytes) -> None:
    """New content under ``path`` (a new inode: this process has it mapped)."""
    tmp = path.with_name('.replacing')
    tmp.write_bytes(content)
    tmp.chmod(0o700)
    os.replace(tmp, path)


def constructor_library(tmp_path: Path, marker: Path) -> Path:
    """A shared library whose constructor creates ``marker`` when loaded."""
    src = tmp_path / 'planted.c'
    src.write_text(
        '#include <stdio.h>\n'
        '__attribute__((constructor)) static void planted(void) {\n'
        f'    FILE *f = fopen("{marker}", "w"); if (f) fclose(f);\n'
        '}\n'
    )
    out = tmp_path / 'planted.so'
    if REAL_CC is None:
        pytest.skip('no C compiler')
    subprocess.run(
        [*REAL_CC, '-shared', '-fPIC', str(src), '-o', str(out)],
        check=True,
        timeout=120,
    )
    return out


# ---------------------------------------------------------------- the happy path


@needs_posix
def test_build_goes_to_a_private_folder_with_a_verified_manifest(fake_cc, tmp_path):
    lib = load_kernel()
    assert lib is not None
    folder = tmp_path / 'cache'
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    manifest, data = manifest_of(folder)
    library = folder / data['library']
    assert Path(lib.path) == library
    assert data['size'] == library.stat().st_size
    assert data['sha256'] == cpu_kernel.kernel_cache.sha256_file(library)
    assert data['scan_args_size'] == ctypes.sizeof(kernel_abi.ScanArgs)
    assert stat.S_IMODE(manifest.stat().st_mode) & 0o077 == 0
    assert len(builds(fake_cc)) == 1
    # a new process (cache cleared) reuses the verified build: no compiler run
    load_kernel.cache_clear()
    assert Path(load_kernel().path) == library
    assert len(builds(fake_cc)) == 1
    leftovers = {p.name for p in folder.iterdir()} - {manifest.name, library.name}
    assert all(name.endswith('.lock') for name in leftovers), leftovers


def test_cc_with_arguments_is_split_like_a_shell(fake_cc, monkeypatch):
    """CC='gcc -O2' is a compiler with an option, not 'no C compiler found'."""
    monkeypatch.setenv('CC', os.environ['CC'] + ' -DFROM_CC=1')
    assert load_kernel() is not None
    assert '-DFROM_CC=1' in builds(fake_cc)[0]


def test_a_failing_compiler_is_reported_with_its_stderr(fake_cc, monkeypatch):
    monkeypatch.setenv('FAKECC_FAIL_ON', '-shared')  # every flag set fails
    with pytest.warns(RuntimeWarning, match='the C compiler failed') as record:
        assert load_kernel() is None
    text = '\n'.join(str(w.message) for w in record)
    assert 'unsupported option -shared' in text
    assert 'no C compiler found' not in text


# --------------------------------------------------------- untrusted folders


@needs_posix
@pytest.mark.parametrize('attack', ['mode', 'owner'])
def test_planted_library_in_the_temp_fallback_is_never_loaded(
    fake_cc, tmp_path, monkeypatch, attack
):
    """Another user's fallback folder: refused even with a matching manifest."""
    if attack == 'owner' and os.geteuid() != 0:
        pytest.skip('chown to another user needs root')
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(blocker / 'kernels'))
    fallback = cpu_kernel._fallback_dir()
    assert fallback.parent == tmp_path / 'tmp'
    fallback.mkdir()
    marker = tmp_path / 'constructor-ran'
    planted = constructor_library(tmp_path, marker)
    stamp = cpu_kernel.build_stamp(cpu_kernel._compiler())
    for flags in cpu_kernel.FLAG_SETS:  # every name the loader could look for
        key = cpu_kernel.cache_key(stamp, flags)
        name = f'selective_scan_cpu-{key}-{"0" * 16}.so'
        shutil.copy(planted, fallback / name)
        shutil.copy(planted, fallback / f'selective_scan_cpu-{key}.so')  # old name
        (fallback / f'selective_scan_cpu-{key}.json').write_text(
            json.dumps(
                {
                    'library': name,
                    'size': planted.stat().st_size,
                    'sha256': cpu_kernel.kernel_cache.sha256_file(planted),
                }
            )
        )
    if attack == 'mode':
        fallback.chmod(0o777)
        expected = 'writable by group/others'
    else:
        for path in [fallback, *fallback.iterdir()]:
            os.chown(path, 65534, 65534)
        expected = 'owned by uid 65534'
    with pytest.warns(RuntimeWarning, match=expected):
        assert load_kernel() is None
    assert not marker.exists()
    assert builds(fake_cc) == []


@needs_posix
def test_cache_below_a_folder_others_can_write_is_refused(
    fake_cc, tmp_path, monkeypatch
):
    shared = tmp_path / 'shared'
    shared.mkdir()
    shared.chmod(0o777)  # no sticky bit: anyone could rename our folder away
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(shared / 'kernels'))
    with pytest.warns(RuntimeWarning, match='without the sticky bit'):
        lib = load_kernel()
    fallback = cpu_kernel._fallback_dir()
    assert Path(lib.path).parent == fallback.resolve()
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o700


def test_unwritable_cache_falls_back_to_a_private_temp_folder(
    fake_cc, tmp_path, monkeypatch
):
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(blocker / 'kernels'))
    with pytest.warns(RuntimeWarning, match='not used'):
        lib = load_kernel()
    assert lib is not None
    (built,) = (tmp_path / 'tmp').glob('inpaintzoo-kernels-*/*.so')
    assert Path(lib.path) == built
    if POSIX:
        assert stat.S_IMODE(built.parent.stat().st_mode) == 0o700


# ------------------------------------------------------- corrupted cache files


def test_library_without_a_manifest_is_not_loaded(fake_cc, tmp_path):
    """A file under the cache name but with no manifest of ours gets rebuilt."""
    folder = cpu_kernel.kernel_cache.private_dir(tmp_path / 'cache')
    stamp = cpu_kernel.build_stamp(cpu_kernel._compiler())
    key = cpu_kernel.cache_key(stamp, cpu_kernel.FLAG_SETS[0])
    marker = tmp_path / 'constructor-ran'
    shutil.copy(
        constructor_library(tmp_path, marker),
        folder / f'selective_scan_cpu-{key}-{"0" * 16}.so',
    )
    assert load_kernel() is not None
    assert not marker.exists()
    assert len(builds(fake_cc)) == 1


def test_garbage_bytes_are_rebuilt_with_the_same_flags(fake_cc, tmp_path):
    assert load_kernel() is not None
    folder = tmp_path / 'cache'
    _, data = manifest_of(folder)
    library = folder / data['library']
    replace_bytes(library, os.urandom(data['size']))
    load_kernel.cache_clear()
    with pytest.warns(RuntimeWarning, match='failed verification'):
        lib = load_kernel()
    assert lib is not None
    assert lib.build_flags == cpu_kernel.FLAG_SETS[0]  # not a slower fallback
    assert Path(lib.path) != library  # a fresh name; the bad file is gone
    assert not library.exists()
    assert len(builds(fake_cc)) == 2


@needs_posix
def test_truncated_library_warns_and_rebuilds_without_sigbus(fake_cc, tmp_path):
    """A new process finds the cached library cut short: no crash, a warning."""
    assert load_kernel() is not None
    folder = tmp_path / 'cache'
    _, data = manifest_of(folder)
    library = folder / data['library']
    replace_bytes(library, library.read_bytes()[: data['size'] // 3])
    # the loader alone, without torch or the rest of inpaintzoo: a fast process
    code = textwrap.dedent(
        f"""\
        import sys, types, warnings
        warnings.simplefilter('always')
        root = {str(REPO_ROOT / 'inpaintzoo')!r}
        for name, sub in (('inpaintzoo', ''), ('inpaintzoo.models', '/models'),
                          ('inpaintzoo.models.ssm', '/models/ssm'),
                          ('inpaintzoo.utils', '/utils')):
            sys.modules[name] = types.ModuleType(name)
            sys.modules[name].__path__ = [root + sub]
        from inpaintzoo.models.ssm import cpu_kernel
        lib = cpu_kernel.load_kernel()
        print('LOADED', lib.path, lib.scan_max_state())
        """
    )
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert 'failed verification' in proc.stderr
    assert 'truncated or modified' in proc.stderr
    assert 'LOADED' in proc.stdout
    assert str(library) not in proc.stdout
    assert len(builds(fake_cc)) == 2


# --------------------------------------------------------------- failure records


def test_failed_flag_set_is_recorded_and_not_retried(fake_cc, tmp_path, monkeypatch):
    monkeypatch.setenv('FAKECC_FAIL_ON', '-march=native')
    lib = load_kernel()
    assert lib is not None
    assert lib.build_flags == cpu_kernel.FLAG_SETS[1]
    calls = builds(fake_cc)
    assert len(calls) == 2
    assert '-march=native' in calls[0]
    (record,) = (tmp_path / 'cache').glob('*.failed')
    assert 'unsupported option -march=native' in json.loads(record.read_text())['error']
    # the next process skips the failed flag set without running the compiler
    load_kernel.cache_clear()
    assert load_kernel().build_flags == cpu_kernel.FLAG_SETS[1]
    assert builds(fake_cc) == calls
    # deleting the record retries it
    record.unlink()
    monkeypatch.delenv('FAKECC_FAIL_ON')
    load_kernel.cache_clear()
    assert load_kernel().build_flags == cpu_kernel.FLAG_SETS[0]


def test_struct_size_mismatch_is_a_clear_error(fake_cc, monkeypatch):
    class WrongScanArgs(ctypes.Structure):
        _fields_ = [*kernel_abi.ScanArgs._fields_, ('extra', ctypes.c_int64)]

    monkeypatch.setattr(kernel_abi, 'ScanArgs', WrongScanArgs)
    with pytest.warns(RuntimeWarning, match=r'sizeof\(WrongScanArgs\) is \d+ bytes'):
        assert load_kernel() is None


# ---------------------------------------------------------------- no compiler


@pytest.mark.parametrize(
    ('cc', 'message'),
    [('no-such-compiler-xyz', 'no C compiler found'), ('false', 'compiler failed')],
)
def test_without_a_working_compiler_falls_back(tmp_path, monkeypatch, cc, message):
    """Runs (and must pass) on machines with no compiler at all."""
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(tmp_path))
    monkeypatch.setenv('CC', cc)
    monkeypatch.delenv(scan_dispatch.ENV_VAR, raising=False)
    load_kernel.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match=message):
            assert load_kernel() is None
        inp = make_inputs(1, 4, 3, 30, seed=1)
        args = scan_kwargs(inp, 'full')
        assert choose_scan_backend(args['u'], 3) == 'chunked'
        torch.testing.assert_close(
            selective_scan_fn(**args),
            selective_scan_sequential(**args),
            rtol=0,
            atol=1e-10,
        )
        set_scan_impl('fused')
        with pytest.raises(RuntimeError, match='C compiler'):
            selective_scan_fn(**args)
    finally:
        set_scan_impl(None)
        load_kernel.cache_clear()


@needs_posix
@pytest.mark.parametrize('where', ['folder', 'above'])
def test_a_symlinked_cache_is_refused(fake_cc, tmp_path, monkeypatch, where):
    """A link as the cache, or another user's link above it, decides nothing.

    The target is the user's own private folder, so only the link is wrong:
    someone who can plant it could point the cache wherever they like.
    """
    own = tmp_path / 'own'
    own.mkdir(mode=0o700)
    if where == 'folder':
        link = tmp_path / 'kernels'
        link.symlink_to(own)
        expected = 'is a symbolic link'
        cache = link
    else:
        if os.geteuid() != 0:
            pytest.skip('a link owned by another user needs root')
        link = tmp_path / 'via'
        link.symlink_to(own)
        os.chown(link, 65534, 65534, follow_symlinks=False)
        expected = 'symbolic link owned by uid 65534'
        cache = link / 'kernels'
    with pytest.raises(cpu_kernel.kernel_cache.UntrustedPathError, match=expected):
        cpu_kernel.kernel_cache.private_dir(cache)
    monkeypatch.setenv(cpu_kernel.KERNEL_DIR_ENV, str(cache))
    with pytest.warns(RuntimeWarning, match=expected):
        lib = load_kernel()
    assert Path(lib.path).parent == cpu_kernel._fallback_dir().resolve()
    assert not any(own.rglob('*.so'))
    # a link of the user's own above a real folder is fine (e.g. /tmp -> /private/tmp)
    if where == 'folder':
        assert cpu_kernel.kernel_cache.private_dir(link / 'sub') == own / 'sub'
