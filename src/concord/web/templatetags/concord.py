"""Template tags shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.http import HttpRequest
from django.utils.safestring import SafeString

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


@register.filter
def split_pool(pool_id: str) -> list[str]:
    """An allocation pool id, "ORG/capability", as [organisation, capability]."""
    organisation, _sep, capability = str(pool_id).partition("/")
    return [organisation, capability]
