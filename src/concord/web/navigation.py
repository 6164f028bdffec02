"""The navigation registry: each app adds its areas in AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from concord.core import policy


def _everyone(user: Any) -> bool:
    return True


def allowed(act: policy.Act) -> Callable[[Any], bool]:
    """Show an item to the people the policy lets do `act` (a named action on no one record)."""

    def check(user: Any) -> bool:
        return policy.may(user, act, None)

    return check


def works_on_records(user: Any) -> bool:
    """Anyone whose role works with records (a partner too: its actions and disruptions)."""
    return policy.viewer_for(user).sees_records


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
