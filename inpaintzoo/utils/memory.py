"""Process memory high-water mark, shared by the benchmark, FLOPs and high-res tools."""

import resource


def peak_rss_mib() -> float:
    """Peak resident set size of this process in MiB.

    Linux ``VmHWM`` (resettable with :func:`reset_peak_rss`); elsewhere the
    lifetime maximum ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs``); else a no-op."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
