"""The one error type that carries a message meant for the user."""

from __future__ import annotations


class ConfigError(ValueError):
    """Bad input from a user: a value, a name, a file or a formula.

    The message says what was wrong and what is allowed. The command line
    prints it as ``error: <message>`` and exits with status 2; the window
    shows it next to the field. It is never a bug report.
    """
