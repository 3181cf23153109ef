"""The web dashboard and HTTP API (``mtorlab serve``), built on the public API only.

``create_app()`` returns the FastAPI application: JSON endpoints under ``/api`` (schema
at ``/openapi.json``) and the page at ``/``.
"""

from mtorlab.web._app import create_app

__all__ = ["create_app"]
