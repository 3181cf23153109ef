"""Cooperative cancellation of a running simulation.

The web server runs simulations on one worker thread; a request that times out (504) or a
job that is cancelled must free that worker, not leave it integrating for a caller who has
gone. Code that runs the work wraps it in :func:`cancellable` with an event; the engine
calls :func:`check_cancelled` between integration segments (each dose is one), which
raises :class:`~mtorlab.errors.Cancelled` once the event is set. Outside such a block the
check costs one context-variable lookup and never raises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from mtorlab.errors import Cancelled

_EVENT: ContextVar[threading.Event | None] = ContextVar("mtorlab_cancel", default=None)


@contextmanager
def cancellable(event: threading.Event) -> Iterator[None]:
    """Simulations inside the block stop (raising Cancelled) soon after ``event`` is set."""
    token = _EVENT.set(event)
    try:
        yield
    finally:
        _EVENT.reset(token)


def check_cancelled() -> None:
    """Raise Cancelled if the enclosing :func:`cancellable` block's event is set."""
    event = _EVENT.get()
    if event is not None and event.is_set():
        raise Cancelled("the simulation was stopped (its request timed out or was cancelled)")
