"""A one-line status on stderr for slow command-line stages (``label … done (x.x s)``). Counted steps
use tqdm (``tqdm.auto``: a widget bar in a notebook, a text bar in a terminal)."""
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
