"""Helpers shared by list pages: filters from the query string, pagination, export links."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict
from ninja import FilterSchema
from pydantic import ValidationError

F = TypeVar("F", bound=FilterSchema)

PAGE_SIZE = 50


def parse_filters(schema: type[F], params: QueryDict) -> tuple[F, dict[str, str]]:
    """Validate the query string with the model's filter schema; errors name the field."""
    raw = {
        key: value for key, value in params.items() if value != "" and key in schema.model_fields
    }
    try:
        return schema(**raw), {}
    except ValidationError as exc:
        errors = {str(err["loc"][0]): str(err["msg"]) for err in exc.errors()}
        cleaned = {key: value for key, value in raw.items() if key not in errors}
        return schema(**cleaned), errors


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page[Any]:
    """A page of `items`; an out-of-range or malformed page number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without(params: QueryDict, *drop: str, **extra: str) -> str:
    """The current query string less some keys, plus others (for page and export links)."""
    kept = [(k, v) for k, v in params.items() if k not in drop and k not in extra and v != ""]
    kept.extend(extra.items())
    return urlencode(kept)
