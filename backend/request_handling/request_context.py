"""The current request id, readable from anywhere in the request (logs, error bodies)."""
from __future__ import annotations

import contextvars

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()
