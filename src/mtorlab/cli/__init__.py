"""The ``mtorlab`` command line.

``main`` turns every :class:`~mtorlab.errors.MtorlabError` into one readable line on
stderr and a non-zero exit code; heavy modules are imported inside the commands, so
``mtorlab --help`` stays fast.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a console script, exit with) the exit code."""
    from mtorlab.cli._app import build_app
    from mtorlab.errors import MtorlabError

    app = build_app()
    try:
        app(args=argv, prog_name="mtorlab")
    except SystemExit as exc:  # typer exits through SystemExit in standalone mode
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
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
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
