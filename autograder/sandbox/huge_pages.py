"""The warm process's memory in huge pages, so each fork of it copies fewer page tables.

Every job forks the warm process's image four times (runner, the sandbox's first process, its broker,
the student process), and a fork copies one page-table entry per 4 KiB page the parent has written:
some 200 MB of the interpreter's heap once torch is imported, about 12 ms of CPU a fork and its exit.
Folded into 2 MiB pages (``MADV_COLLAPSE``, Linux 6.1 on), a fork copies one entry per 2 MiB and a child
that writes to one splits it only there; the same fork and exit took about 4 ms. The pages stay private
copy-on-write pages, as before: no process sees another's writes, and nothing is shared that was not.
"""

from __future__ import annotations

import ctypes

from autograder.sandbox.libc import libc

MADV_COLLAPSE = 25  # <linux/mman.h>
HUGE_PAGE = 2 * 2**20


def fold_heap_into_huge_pages() -> None:
    """Collapse this process's private anonymous memory into huge pages where the kernel can; where it
    cannot (an older kernel, huge pages switched off), leave it as it is."""
    for start, end in _anonymous_regions():
        libc.madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), MADV_COLLAPSE)


def _anonymous_regions() -> list[tuple[int, int]]:
    """Private, writable, anonymous mappings (the heap among them) of at least one huge page."""
    regions = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            start, end = (int(address, 16) for address in fields[0].split("-"))
            if fields[1] == "rw-p" and name in ("", "[heap]") and end - start >= HUGE_PAGE:
                regions.append((start, end))
    return regions
