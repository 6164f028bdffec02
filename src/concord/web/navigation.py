"""The navigation registry: each app adds its areas in AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    """A link in the service navigation, shown to the people `visible` lets through."""

    url_name: str
    label: str | Promise
    order: int = 50
    visible: Callable[[Any], bool] = field(default=_everyone)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace) a navigation item; keyed by URL name so reloading is harmless."""
    _ITEMS[item.url_name] = item


def items_for(user: Any) -> list[NavItem]:
    """The navigation a person sees, in order."""
    return [item for item in sorted(_ITEMS.values(), key=lambda i: i.order) if item.visible(user)]
