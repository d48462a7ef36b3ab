"""A small progress display on stderr for slow command-line work (stages and counted steps)."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager


@contextmanager
def stage(label: str, stream=None, enabled: bool = True):
    """Print ``label …`` when a slow stage starts and ``done (x.x s)`` when it ends."""
    stream = stream or sys.stderr
    t0 = time.perf_counter()
    if enabled:
        print(f"{label} …", end="", file=stream, flush=True)
    try:
        yield
    except BaseException:
        if enabled:
            print(" failed", file=stream, flush=True)
        raise
    if enabled:
        print(f" done ({time.perf_counter() - t0:.1f} s)", file=stream, flush=True)


def counter(iterable, total: int, label: str, stream=None, enabled: bool = True):
    """Yield from ``iterable`` while showing ``label i/total`` on one line."""
    stream = stream or sys.stderr
    t0 = time.perf_counter()
    for i, item in enumerate(iterable, 1):
        yield item
        if enabled:
            print(f"\r{label} {i}/{total} ({time.perf_counter() - t0:.1f} s)", end="", file=stream, flush=True)
    if enabled:
        print(file=stream, flush=True)
