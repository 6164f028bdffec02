"""Pickers: the JSON behind the people and organisation fields that search as you type.

A form field that offers a choice (the "To" of a transfer or tasking request, an SIO or LRO to
appoint) names a *source*; the app that owns the rules registers it here (web cannot import
the apps above it), and `/pickers/<source>/?q=…` answers only the choices those rules allow
for the form at hand. The same source gives the form field its queryset, so the page without
JavaScript offers the same choices in a plain <select>, and the server refuses any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

MAX_CHOICES = 20


@dataclass(frozen=True)
class Choice:
    """One valid choice: the value the form posts, what the person reads, and a hint."""

    value: str
    label: str
    hint: str = ""

    def matches(self, typed: str) -> bool:
        words = typed.casefold().split()
        text = f"{self.value} {self.label} {self.hint}".casefold()
        return all(word in text for word in words)


# source(user, params) -> every valid choice for the form those params describe; raises
# Http404 for a record the person may not see (so nothing is said about it).
Source = Callable[[Any, QueryDict], list[Choice]]
_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Offer `source` at /pickers/<name>/."""
    _SOURCES[name] = source


def source(name: str) -> Source | None:
    return _SOURCES.get(name)


def matching(choices: list[Choice], typed: str) -> list[Choice]:
    """The choices whose value, label or hint hold every word typed."""
    typed = typed.strip()[:100]
    return [c for c in choices if c.matches(typed)] if typed else choices
