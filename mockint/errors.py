"""Errors a user can cause and fix; the CLI prints them without a traceback and exits 2."""


class UserError(Exception):
    """A foreseeable mistake: bad input, a missing file, a broken pack or config."""

    exit_code = 2
