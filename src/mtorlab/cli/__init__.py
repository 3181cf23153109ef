"""The ``mtorlab`` command line.

``main`` turns every :class:`~mtorlab.errors.MtorlabError` into one readable line on
stderr and a non-zero exit code; heavy modules are imported inside the commands, so
``mtorlab --help`` stays fast.
"""

from __future__ import annotations

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


def _usage_error(exc: click.UsageError) -> int:
    """A usage error (unknown option, bad or missing value) as one line naming the command."""
    command = exc.ctx.command_path if exc.ctx is not None else "mtorlab"
    message = " ".join(exc.format_message().split())
    print(f"mtorlab: error: {message} (see '{command} --help')", file=sys.stderr)
    return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
