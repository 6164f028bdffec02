"""Template tags shared by every app's pages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms, template
from django.http import HttpRequest
from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from concord.core import policy
from concord.core import text as limits
from concord.web.lists import query_without

register = template.Library()

_WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.PasswordInput: "govuk-input",
}


@register.simple_tag
def query_with(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some keys replaced (pagination, export)."""
    drop = ("page", "export") if "page" not in changes else ("export",)
    return query_without(request.GET, *drop, **{k: str(v) for k, v in changes.items()})


@register.filter
def entries(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A dict's (key, value) pairs. `errors.items` in a template looks up the key "items"
    first, so errors about a field named items would be iterated as a string (a 500)."""
    return list(mapping.items())


@register.filter
def is_checkbox_multiple(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag
def govuk_widget(field: forms.BoundField) -> SafeString:
    """Render a field's widget with GOV.UK classes and error description."""
    widget = field.field.widget
    css = next(
        (c for kind, c in _WIDGET_CLASSES.items() if isinstance(widget, kind)), "govuk-input"
    )
    if field.errors:
        css += f" {css.split()[0]}--error"
    attrs: dict[str, str | bool] = {"class": css}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}-hint"
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def may(context: template.Context, act: str, obj: Any = None) -> bool:
    """May the signed-in person do the policy's named action (`{% may "map" as may_map %}`)?
    Pages offer an action only to those the policy lets do it."""
    return policy.may(context.get("user"), policy.Act(act), obj)


@register.filter
def figure(value: Any, places: int = 3) -> str:
    """A number as people read it: thousands separated, at most `places` decimals, no trailing
    zeros beyond pence (1.188 kg, not 1.18800000000000; £1,234.50; 12 arrests)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    decimals = max(-number.as_tuple().exponent, 0)  # type: ignore[operator]  # finite: an int
    if decimals:
        decimals = max(decimals, 2)
    return f"{number:,.{decimals}f}"


@register.simple_tag
def shortened(value: Any, length: int = limits.SHOWN_IN_LISTS) -> SafeString:
    """Long text in a list: its first `length` characters, and the whole of it behind "Show
    all" (a GOV.UK details element), so one long entry cannot swamp the list."""
    text = "" if value is None else str(value)
    if len(text) <= length:
        return format_html("{}", text)
    return format_html(
        '<span class="concord-shortened">{}</span>'
        '<details class="govuk-details concord-shortened__all">'
        '<summary class="govuk-details__summary">'
        '<span class="govuk-details__summary-text">{}</span></summary>'
        '<div class="govuk-details__text">{}</div></details>',
        Truncator(text).chars(length),
        _("Show all of it"),
        linebreaks(text, autoescape=True),
    )


@register.filter
def split_pool(pool_id: str) -> list[str]:
    """An allocation pool id, "ORG/capability", as [organisation, capability]."""
    organisation, _sep, capability = str(pool_id).partition("/")
    return [organisation, capability]
