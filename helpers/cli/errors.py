"""The one exception of the command line, in a module of its own: the command modules raise it and
:func:`helpers.cli.main` catches it, so neither has to import the other to reach it (no import cycle)."""


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""
