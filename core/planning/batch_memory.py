"""Process memory settings for one big plan in a batch process (``plantops plan``).

Planning 100k items makes hundreds of temporary arrays of tens of megabytes.
By default glibc maps each one fresh from the kernel and unmaps it when
freed, and NumPy asks for transparent huge pages on each; the kernel then
zeroes (and, to find huge pages, compacts) memory again for every
temporary: about a second of system time per plan, a fifth of the command.
Keeping freed memory in the process for reuse (raise glibc's mmap and trim
thresholds) and using ordinary pages removes most of it. Only the command
does this: it owns its short-lived process, which a server does not.
"""

from __future__ import annotations

import ctypes
import sys

import numpy as np

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 2**20  # glibc's ceiling on 64-bit systems
_KEEP_FREED = 2**31 - 1  # never give freed heap memory back while the command runs


def tune_for_one_big_plan() -> None:
    """Reuse freed memory and skip huge pages for the rest of this process (best effort)."""
    set_hugepage = getattr(getattr(np, "_core", None), "multiarray", None)
    set_hugepage = getattr(set_hugepage, "_set_madvise_hugepage", None)
    if set_hugepage is not None:
        set_hugepage(False)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED)
