"""Running one command so that every way it can end is an exit status and one line.

Both console entry points (``python -m core.cli`` and the installed
``lr-playground-cli``, which adds ``plot``) run their parser through
`run_main`:

- bad input (a `ConfigError`): ``error: <what was wrong and what is allowed>``
  on stderr, exit status 2;
- standard output full or failing (``> /dev/full``): ``error: cannot write
  the output: No space left on device``, exit status 2;
- standard output closed by its reader (``| head``): no message, exit status
  141 (128 + SIGPIPE), as a Unix tool killed by SIGPIPE reports it;
- SIGINT (Ctrl+C) and SIGTERM: the command stops where it is, every
  ``finally`` runs (so an output file half written is removed, never left
  behind), ``error: interrupted`` / ``error: terminated``, exit status 130 /
  143; SIGHUP (the terminal went away) like SIGTERM, 129;
- anything else is a bug: ``error: internal error (...)``, exit status 1.

Nothing else reaches stderr while a command runs: Python's warnings and
numpy's floating-point warnings are silenced (a diverging run is a result,
and the table says so), and the ``plot`` command keeps Qt's messages to
itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

import numpy as np

from core.checks import shown_path
from core.errors import ConfigError

EXIT_BAD_INPUT = 2
EXIT_CLOSED_PIPE = 128 + 13  # SIGPIPE
EXIT_INTERRUPTED = 130


class Stopped(SystemExit):
    """A signal asked the command to stop; raised inside it so every ``finally`` runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def run_main(parse: Callable[[Sequence[str] | None], Any], argv: Sequence[str] | None) -> int:
    """Parse ``argv`` with ``parse`` and run the chosen handler; return the exit status."""
    with _quiet(), _signals_stop_the_command():
        try:
            args = parse(argv)
            if sys.stdout is None:  # started with descriptor 1 closed
                raise ConfigError("standard output is closed; the command has nowhere to "
                                  "write its result")
            code = int(args.handler(args) or 0)
            _flush_stdout()
            return code
        except ConfigError as exc:
            return _fail(str(exc), EXIT_BAD_INPUT)
        except BrokenPipeError:
            _detach_stdout()  # the reader went away (`| head`): not an error of ours
            return EXIT_CLOSED_PIPE
        except KeyboardInterrupt:
            return _fail("interrupted", EXIT_INTERRUPTED)
        except Stopped as exc:
            name = {signal.SIGTERM: "terminated"}.get(exc.signum, "stopped by a hang-up")
            return _fail(name, int(exc.code))  # type: ignore[arg-type]
        except OSError as exc:
            if exc.filename is not None:  # a file the command read or wrote
                return _fail(f"cannot use {shown_path(exc.filename)}: {_reason(exc)}",
                             EXIT_BAD_INPUT)
            _detach_stdout()
            return _fail(f"cannot write the output: {_reason(exc)}", EXIT_BAD_INPUT)
        except MemoryError:
            return _fail("not enough memory for this request; ask for fewer steps, "
                         "learning rates or grid points", EXIT_BAD_INPUT)
        except Exception as exc:  # an internal bug: say so in one line, no traceback
            if os.environ.get("LR_PLAYGROUND_DEBUG"):
                raise
            return _fail(f"internal error ({type(exc).__name__}: {exc}); "
                         "set LR_PLAYGROUND_DEBUG=1 to see the traceback", 1)


def _fail(message: str, code: int) -> int:
    stream = sys.stderr
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            stream.write(f"error: {message}\n")
            stream.flush()
    return code


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _flush_stdout() -> None:
    """Write out what is buffered now, inside the command, where an error is caught."""
    sys.stdout.flush()


def _detach_stdout() -> None:
    """Point the stdout descriptor at the null device: the interpreter's own flush at
    exit then has nowhere to fail and prints no second message."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No Python or numpy warnings on stderr while a command runs."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _signals_stop_the_command() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Stopped` in the command (SIGINT already raises
    KeyboardInterrupt); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (a test may call main elsewhere)
        return
    wanted = [s for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s)]
    previous = {}
    for name in wanted:
        signum = getattr(signal, name)
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue  # started with the signal ignored (nohup): keep it so
        previous[signum] = signal.signal(signum, _stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)
