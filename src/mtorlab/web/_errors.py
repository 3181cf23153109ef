"""Errors as JSON (``{"error": ..., "field": ...}``) and the request-body size cap."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtorlab.errors import DataFileError, MtorlabError, UnknownIdError


class ApiError(Exception):
    """A client-facing error: HTTP status, message and (if known) the offending field."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field


def error_body(error: str, field: str | None = None) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": error, "field": field}


_EXTENSION_FILE = re.compile(r"(extensions\[\d+\])(?:: (\w+))?$")


def data_error(exc: DataFileError) -> ApiError:
    """A scenario or data-file error as a 422 naming the field (``interventions[1].dose``)."""
    fld = exc.field
    ext = _EXTENSION_FILE.search(exc.file)
    if ext is not None:  # a record of an inline extension: extensions[0].species.id.field
        parts = (ext.group(1), ext.group(2), exc.entry, fld)
        return ApiError(422, exc.message, ".".join(p for p in parts if p))
    if exc.entry and exc.entry.startswith("interventions #"):
        index = int(exc.entry.removeprefix("interventions #")) - 1
        fld = f"interventions[{index}]" + (f".{fld}" if fld and fld != "(entry)" else "")
    return ApiError(422, exc.message, fld)


def mtorlab_error(exc: MtorlabError, field: str | None = None) -> ApiError:
    """Any mtorlab error as a 4xx (404 for unknown ids, 422 otherwise)."""
    if isinstance(exc, DataFileError):
        return data_error(exc)
    if isinstance(exc, UnknownIdError):
        return ApiError(404, str(exc), field)
    return ApiError(422, str(exc), field)


_ENGINE_FIELD = re.compile(r"^interventions #(\d+)\.([\w.]+): (.+)$", re.S)


def simulation_error(exc: MtorlabError) -> ApiError:
    """An error raised while simulating a valid scenario, as a 422 naming the field.

    The engine says ``interventions #2.route: ...``; that becomes ``interventions[1].route``.
    """
    if isinstance(exc, DataFileError):
        return data_error(exc)
    m = _ENGINE_FIELD.match(str(exc))
    if m:
        return ApiError(422, m.group(3), f"interventions[{int(m.group(1)) - 1}].{m.group(2)}")
    return ApiError(422, str(exc))


def _validation_field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or (str(loc[0]) if loc else None)


#: JSON's names for the Python types of a parsed body.
_JSON_TYPES = {"dict": "an object", "list": "a list", "str": "a string", "int": "a number",
               "float": "a number", "bool": "true or false", "NoneType": "null"}  # fmt: skip


def _request_message(err: dict[str, Any]) -> str:
    """A request-validation problem in the API's words (the body is JSON, not Python)."""
    msg = str(err.get("msg", "invalid request")).removeprefix("Value error, ")
    loc = tuple(err.get("loc", ()))
    if loc == ("body",) and err.get("type") == "missing":
        return "the request body is missing; send a JSON object (the scenario)"
    if loc == ("body",) and err.get("type") in {"dict_type", "model_attributes_type"}:
        got = _JSON_TYPES.get(type(err.get("input")).__name__, type(err.get("input")).__name__)
        return f"the request body must be a JSON object (content-type application/json), not {got}"
    return msg


def install_handlers(app: FastAPI) -> None:
    """Route every error through :func:`error_body`, never a bare 500 with a traceback."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.error, exc.field), status_code=exc.status)

    @app.exception_handler(MtorlabError)
    async def _mtorlab(_: Request, exc: MtorlabError) -> JSONResponse:
        err = mtorlab_error(exc)
        return JSONResponse(error_body(err.error, err.field), status_code=err.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {"msg": "invalid request", "loc": ()}
        field = _validation_field(tuple(first.get("loc", ())))
        return JSONResponse(error_body(_request_message(first), field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(f"internal error ({type(exc).__name__})"), status_code=500)


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with a JSON 413.

    The body is buffered (it is small by construction) and replayed to the app, so a
    chunked upload without ``Content-Length`` is capped as well.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        message = f"request body is larger than {self.max_bytes // 1024} KiB"
        await send_json_error(send, 413, error_body(message, "body"))


async def send_json_error(
    send: Send, status: int, body: dict[str, Any], headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """Answer from ASGI middleware with a JSON error body (the API's {error, field})."""
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class HostCheck:
    """ASGI middleware: answer only requests whose Host header is one of ``allowed`` (a JSON
    400 otherwise), so that a web page cannot reach a loopback server by DNS rebinding."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    @staticmethod
    def _name(host: str) -> str:
        if host.startswith("["):  # [::1]:8000
            return host[: host.find("]") + 1]
        return host.rsplit(":", 1)[0] if host.count(":") == 1 else host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").strip().lower()
        if self._name(host) in self.allowed:
            await self.app(scope, receive, send)
            return
        await send_json_error(send, 400, error_body("Invalid host header", "host"))


class RateLimit:
    """ASGI middleware: at most ``per_minute`` simulation requests (POST) per client address,
    as a token bucket; beyond it a JSON 429 with ``Retry-After``. Reading the knowledge base
    (GET) is not limited: it costs nothing."""

    def __init__(self, app: ASGIApp, per_minute: int, clock: Any = None) -> None:
        import time

        self.app = app
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock or time.monotonic
        self.buckets: dict[str, tuple[float, float]] = {}

    def _allow(self, client: str) -> float:
        """0 when allowed, else the seconds until a token is free."""
        now = self.clock()
        tokens, last = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self.buckets[client] = (tokens - 1.0, now)
            if len(self.buckets) > 10_000:  # forget idle clients; bounded memory
                self.buckets = dict(list(self.buckets.items())[-5_000:])
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1.0 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self._allow(str(client))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        seconds = math.ceil(wait)
        body = error_body(f"too many requests; try again in {seconds} s", None)
        await send_json_error(send, 429, body, ((b"retry-after", str(seconds).encode()),))
