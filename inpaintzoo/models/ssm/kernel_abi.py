"""The fused CPU kernel's interface as Python sees it (``csrc/*.c``, ``*.h``).

The C source files, the :mod:`ctypes` mirrors of the argument structs the kernel
functions take, and :func:`configure`, which declares the functions' signatures
on a loaded library and checks each struct's size against the C ``sizeof``.
Building, caching and loading the library is :mod:`inpaintzoo.models.ssm.cpu_kernel`.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

SOURCE = Path(__file__).with_name('csrc') / 'selective_scan_cpu.c'
#: every file of the translation unit (SOURCE includes the headers); all are hashed
SOURCES = (SOURCE, SOURCE.with_name('layers2d_cpu.h'))


class ScanArgs(ctypes.Structure):
    """Mirror of the C ``ScanArgs`` struct (pointers, then int64 sizes/strides)."""

    _fields_ = [
        (name, ctypes.c_void_p)
        for name in (
            'u',
            'delta',
            'A',
            'B',
            'C',
            'delta_bias',
            'y',
            'h_last',
            'ckpt',
            'gy',
            'gh_last',
            'gu',
            'gdelta',
            'gA',
            'gB',
            'gC',
            'z',
            'skip',
        )
    ] + [
        (name, ctypes.c_int64)
        for name in (
            'batch',
            'length',
            'dim',
            'n_state',
            'groups',
            'chunk',
            'softplus',
            'su_b',
            'su_l',
            'sd_b',
            'sd_l',
            'sb_b',
            'sb_l',
            'sc_b',
            'sc_l',
            'sy_b',
            'sy_l',
            'sgy_b',
            'sgy_l',
            'sgu_b',
            'sgu_l',
            'sgd_b',
            'sgd_l',
            'sgb_b',
            'sgb_l',
            'sgc_b',
            'sgc_l',
            'sz_b',
            'sz_l',
        )
    ]


class ConvArgs(ctypes.Structure):
    """Mirror of the C ``ConvArgs`` struct (causal depth-wise conv + SiLU)."""

    _fields_ = [(name, ctypes.c_void_p) for name in ('x', 'w', 'bias', 'out')] + [
        (name, ctypes.c_int64)
        for name in ('batch', 'length', 'dim', 'ksize', 'sx_b', 'sx_l', 'so_b', 'so_l')
    ]


class Dw2dArgs(ctypes.Structure):
    """Mirror of the C ``Dw2dArgs`` struct (2-D depth-wise 3x3 conv, GELU gate)."""

    _fields_ = [(name, ctypes.c_void_p) for name in ('x', 'w', 'bias', 'out')] + [
        (name, ctypes.c_int64)
        for name in (
            'batch',
            'channels',
            'height',
            'width',
            'gate',
            'row0',
            'rows',
            'out_plane',
        )
    ]


class LnArgs(ctypes.Structure):
    """Mirror of the C ``LnArgs`` struct (LayerNorm over the channels of NCHW)."""

    _fields_ = [
        *[(name, ctypes.c_void_p) for name in ('x', 'w', 'b', 'out')],
        *[(name, ctypes.c_int64) for name in ('batch', 'channels', 'pixels', 'centre')],
        ('eps', ctypes.c_double),
    ]


def structs() -> tuple[tuple[str, type[ctypes.Structure]], ...]:
    """(C size-function name, ctypes mirror) of every struct the kernel takes."""
    return (
        ('scan_args_size', ScanArgs),
        ('conv_args_size', ConvArgs),
        ('dw2d_args_size', Dw2dArgs),
        ('ln_args_size', LnArgs),
    )


def configure(lib: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the kernel's signatures; check the struct sizes against C's.

    Raises:
        AttributeError: a symbol is missing (an old or foreign library).
        RuntimeError: ``sizeof`` of a struct (``ScanArgs``, ``ConvArgs``,
            ``Dw2dArgs``, ``LnArgs``) in C differs from its ctypes mirror.
    """
    ptr, i32, i64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_int64
    args_p = ctypes.POINTER(ScanArgs)
    for sfx in ('f32', 'f64'):
        getattr(lib, f'scan_fwd_{sfx}').argtypes = [args_p, i32]
        getattr(lib, f'scan_fwd_{sfx}').restype = None
        getattr(lib, f'scan_bwd_{sfx}').argtypes = [args_p, i32, i64, i64, i64, ptr]
        getattr(lib, f'scan_bwd_{sfx}').restype = None
        getattr(lib, f'conv_silu_{sfx}').argtypes = [ctypes.POINTER(ConvArgs), i32]
        getattr(lib, f'conv_silu_{sfx}').restype = None
    lib.dw3x3_f32.argtypes = [ctypes.POINTER(Dw2dArgs), i32]
    lib.dw3x3_f32.restype = i32
    lib.ln_channels_f32.argtypes = [ctypes.POINTER(LnArgs), i32]
    lib.ln_channels_f32.restype = None
    for name in ('scan_vector_width', 'scan_max_state', 'scan_has_openmp'):
        getattr(lib, name).restype = i32
    for name, struct in structs():
        getattr(lib, name).restype = i64
        c_size, py_size = getattr(lib, name)(), ctypes.sizeof(struct)
        if c_size != py_size:
            raise RuntimeError(
                f'sizeof({struct.__name__}) is {c_size} bytes in {SOURCE.name} but '
                f'{py_size} in the ctypes mirror in {Path(__file__).name}: update '
                'the two definitions together'
            )
    return lib
