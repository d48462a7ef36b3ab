"""Files the course writes: every output path is checked here, before any slow work (one home for the
command line, the gallery's figures and the dream's PNGs)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


def check_output_path(path, overwrite: bool = False, suffixes=(".png",), make_dirs: bool = False) -> Path:
    """Check a file we are about to write, before any slow work: suffix, existing directory, writable,
    and no existing file unless ``overwrite``. Returns the path; raises ValueError / FileExistsError /
    FileNotFoundError / PermissionError with a message that says what to do. ``make_dirs``: a missing
    directory is fine, the writer creates it. Used by ``save_figure``, ``save_png`` and the command line's ``--out``."""
    p = Path(path).expanduser()
    if suffixes and p.suffix.lower() not in suffixes:
        raise ValueError(f"{p} should end in {' or '.join(suffixes)}.")
    parent = p.parent if str(p.parent) else Path(".")
    while make_dirs and not parent.exists() and parent != parent.parent:
        parent = parent.parent                      # the directory the writer will create it in
    if not parent.is_dir():
        raise FileNotFoundError(f"The directory {parent} does not exist; create it first or choose another path.")
    if p.is_dir():
        raise IsADirectoryError(f"{p} is a directory; give a file name such as {p / ('out' + suffixes[0])}.")
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass --overwrite (overwrite=True) to replace it.")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise PermissionError(f"Cannot write to {p}: no write permission; choose another path.")
    return p


@contextmanager
def written_atomically(path):
    """Write a file so that it appears complete or not at all: yields a temporary path beside ``path`` (same
    suffix, so writers pick the format from it) and renames it to ``path`` when the block ends without an
    error. On any error — Ctrl-C included — the temporary file is removed and an existing ``path`` is left
    as it was. Used by every writer of the course (figures, PNGs, GIFs, CSV, the reference model)."""
    p = Path(path)
    tmp = p.with_name(f".{p.stem}.partial-{os.getpid()}{p.suffix}")
    try:
        yield tmp
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
