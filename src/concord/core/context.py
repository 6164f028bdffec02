"""Who is acting, from where: set per request (or per command) for the audit trail to read."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class ActingContext:
    """Where the current change or view comes from."""

    source: str = "system"  # web, api, cli, task, meeting, federation
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    reason: str = ""
    # For decisions taken elsewhere (a meeting), what to cite as the source record.
    via: str = ""


_current: contextvars.ContextVar[ActingContext] = contextvars.ContextVar(
    "concord_acting_context",
    default=ActingContext(),  # noqa: B039  # frozen, so safe to share
)


def current() -> ActingContext:
    return _current.get()


@contextmanager
def acting(**changes: Any) -> Iterator[ActingContext]:
    """Within the block, audit entries carry these details (source, ip, reason, via…)."""
    token = _current.set(replace(_current.get(), **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def client_ip(meta: dict[str, Any], trusted_proxies: int = 0) -> str | None:
    """The client address: REMOTE_ADDR, or the Nth-from-last X-Forwarded-For behind proxies."""
    if trusted_proxies:
        forwarded = [
            p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= trusted_proxies:
            return str(forwarded[-trusted_proxies])
    address = meta.get("REMOTE_ADDR")
    return str(address) if address else None
