"""Placeholder: subcommands are added here (see helpers/__main__.py)."""


def register(subparsers) -> None:
    """Add this module's subcommands to `python -m helpers`."""
