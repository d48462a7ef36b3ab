"""Command line of the course: `python -m helpers <command> --help` (or the `mnist-course` script).

One module per command; each has ``register(subparsers)`` and ``run(args)``. A command reports a user
error by raising :class:`CliError`: :func:`main` prints it as one line and returns exit status 2.
"""
from __future__ import annotations

import argparse
import sys

# the commands import nothing heavy until one runs
from . import dream, gallery, match, oip, perfect_digits, train_reference
from .errors import CliError

COMMANDS = (train_reference, gallery, oip, perfect_digits, dream, match)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv=None) -> int:
    """Run one command; returns the exit status (0; 2 after a CliError; 130 after Ctrl-C, which prints one
    line, and every output file is written atomically, so none is left half-written)."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
