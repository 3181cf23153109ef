"""``mtorlab serve``: the web dashboard and HTTP API (loopback only unless told otherwise)."""

from __future__ import annotations

import ipaddress
import sys

import typer


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    """Add ``mtorlab serve`` to ``app``."""

    @app.command("serve")
    def serve(
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind (loopback by default)."
        ),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    ) -> None:
        """Open the web dashboard: pathway map, scenario builder, plots, claims."""
        import uvicorn

        from mtorlab.web import create_app

        if not _is_loopback(host):
            print(
                f"mtorlab serve: warning: binding to {host}, reachable from other machines; "
                "the API has no authentication",
                file=sys.stderr,
            )
        print(f"mtorlab: serving on http://{host}:{port}/ (Ctrl+C stops)", file=sys.stderr)
        loopback = ["127.0.0.1", "localhost", "[::1]", "::1"]
        hosts = loopback if _is_loopback(host) else None  # exposed on purpose: any Host
        uvicorn.run(
            create_app(warm_up=True, allowed_hosts=hosts, rate_per_minute=120),
            host=host,
            port=port,
            log_level="warning",
            ws="none",
            server_header=False,
        )
