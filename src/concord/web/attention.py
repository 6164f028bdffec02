"""The "Needs your attention" registry: each app adds its providers in AppConfig.ready().

A provider takes the signed-in person and returns zero or more `Entry`s: a kind of work that
waits for them (transfers to decide, actions due, alerts to review…), how many, up to
`EXAMPLES` example rows each linking to the page where the work is done, and the list where
the rest can be found. The home page shows them; the shell never imports an app above it.

Providers read through the access policy (`Model.objects.visible_to(user)` and the named
actions' own conditions), so a count never includes a record the person may not see, and each
costs a fixed number of queries whatever the number of records (`sample` counts only when there
are more rows than it shows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

# How many example rows an entry shows; the rest are counted and found through `see_all`.
EXAMPLES = 5

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Row:
    """One example of the work: its reference and title, when it is due, and the page where it
    is done."""

    reference: str
    title: str
    url: str
    due: dt.date | None = None
    note: str | Promise = ""

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


@dataclass(frozen=True)
class Entry:
    """One kind of work waiting for the person, with how many and a few examples."""

    key: str
    heading: str | Promise
    count: int
    rows: tuple[Row, ...] = ()
    see_all: str = ""
    see_all_label: str | Promise = ""
    order: int = 50
    hint: str | Promise = ""

    @property
    def more(self) -> int:
        """How many are not among the examples."""
        return max(self.count - len(self.rows), 0)


Provider = Callable[[Any], Iterable[Entry]]


_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace) a provider; keyed by name so reloading a module is harmless."""
    _PROVIDERS[name] = provider


def provider(name: str) -> Callable[[Provider], Provider]:
    """Register the decorated function as the provider `name` ("ownership.transfers")."""

    def add(function: Provider) -> Provider:
        register(name, function)
        return function

    return add


def providers() -> dict[str, Provider]:
    """Every registered provider by name (for the tests that each one is covered)."""
    return dict(_PROVIDERS)


def entries_for(user: Any) -> list[Entry]:
    """Everything waiting for the person, in order; kinds with nothing waiting are left out."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    found = [entry for provide in _PROVIDERS.values() for entry in provide(user) if entry.count > 0]
    return sorted(found, key=lambda e: (e.order, e.key))


def sample(
    queryset: QuerySet[M], make_row: Callable[[M], Row], *, limit: int = EXAMPLES
) -> tuple[int, list[Row]]:
    """How many rows `queryset` holds and the first `limit` of them as rows: one query, and a
    second (the count) only when there are more than it shows."""
    found = list(queryset[: limit + 1])
    count = len(found) if len(found) <= limit else queryset.count()
    return count, [make_row(obj) for obj in found[:limit]]


def entry(
    key: str,
    heading: str | Promise,
    queryset: QuerySet[M],
    make_row: Callable[[M], Row],
    *,
    order: int = 50,
    see_all: str = "",
    see_all_label: str | Promise = "",
    hint: str | Promise = "",
) -> list[Entry]:
    """An entry from a queryset (none when it is empty), for providers to return."""
    count, rows = sample(queryset, make_row)
    if not count:
        return []
    return [
        Entry(
            key=key,
            heading=heading,
            count=count,
            rows=tuple(rows),
            see_all=see_all,
            see_all_label=see_all_label,
            order=order,
            hint=hint,
        )
    ]
