"""Panels that upper apps add to a lower app's detail page (the layers point one way).

The register's OCG page cannot import ownership or plans; instead those apps register a panel
for the kind of record, and the page renders whatever panels are registered for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, Any], SafeString]
_PANELS: dict[str, list[tuple[int, Panel]]] = {}


def register(kind: str, panel: Panel, *, order: int = 50) -> None:
    """Add `panel(request, record)` to the detail pages of `kind` (e.g. "ocg", "pi")."""
    entries = _PANELS.setdefault(kind, [])
    if all(existing is not panel for _order, existing in entries):
        entries.append((order, panel))
        entries.sort(key=lambda entry: entry[0])


def render(request: HttpRequest, kind: str, record: Any) -> list[SafeString]:
    """Every registered panel for `kind`, rendered for this person and record, in order."""
    return [panel(request, record) for _order, panel in _PANELS.get(kind, [])]
