"""The ``mtorlab`` command line.

``main`` turns every :class:`~mtorlab.errors.MtorlabError` into one readable line on
stderr and a non-zero exit code; heavy modules are imported inside the commands, so
``mtorlab --help`` stays fast. :func:`run` (the console script, ``python -m mtorlab``) also
ends the process without tearing its modules down.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typer._click import exceptions as click


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a console script, exit with) the exit code."""
    # typer carries its own click; its exceptions are what a usage error raises
    import typer
    from typer._click import exceptions as click

    from mtorlab.cli._app import build_app
    from mtorlab.errors import MtorlabError

    app = build_app()
    try:
        # not standalone: usage errors come here, to be said in one line like the others
        result = app(args=argv, prog_name="mtorlab", standalone_mode=False)
    except SystemExit as exc:  # a command that exits itself
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except click.NoArgsIsHelpError as exc:  # `mtorlab` or a group alone: its help
        exc.show()
        return 2
    except click.UsageError as exc:
        return _usage_error(exc)
    except click.ClickException as exc:
        print(f"mtorlab: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("mtorlab: aborted", file=sys.stderr)
        return 1
    except MtorlabError as exc:
        print(f"mtorlab: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if os.environ.get("MTORLAB_DEBUG"):
            raise
        print(
            f"mtorlab: internal error: {type(exc).__name__}: {exc} "
            "(set MTORLAB_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 70
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


#: True in a process that :func:`run` started (the ``mtorlab`` command), not in a library
#: user's: the batch engine then spares Numba's scipy.linalg import (engines/_codegen.py).
COMMAND_PROCESS = False


def run() -> None:
    """The ``mtorlab`` console script and ``python -m mtorlab``: :func:`main`, then exit."""
    global COMMAND_PROCESS
    COMMAND_PROCESS = True
    exit_now(main())


def exit_now(code: int) -> None:
    """End the process with ``code`` the quick way once a command is done.

    Python's own exit tears every module down and frees what they hold (numba, pandas,
    pint, libsbml...): about half a second after ``mtorlab cohort``, for nothing the
    command's output depends on. This flushes the standard streams, runs the ``atexit``
    handlers (logging, multiprocessing, ``weakref.finalize``: what an exit must still do)
    and leaves with :func:`os._exit`. Where a thread other than the main one still runs,
    or a stream cannot be flushed (a closed pipe), it exits the ordinary way.
    """
    import atexit
    import threading

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if run_exitfuncs is None or any(not t.daemon for t in others):
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except Exception:  # e.g. BrokenPipeError: the ordinary exit reports it as it does
        sys.exit(code)
    run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):  # what the handlers printed
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)


def _usage_error(exc: click.UsageError) -> int:
    """A usage error (unknown option, bad or missing value) as one line naming the command."""
    command = exc.ctx.command_path if exc.ctx is not None else "mtorlab"
    message = " ".join(exc.format_message().split())
    print(f"mtorlab: error: {message} (see '{command} --help')", file=sys.stderr)
    return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    run()
