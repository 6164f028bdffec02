"""Filtering and paging of a collection's rows (TAXII 2.1 section 3.4): `limit` and `next`,
`added_after` and the `match[...]` parameters, and the X-TAXII-Date-Added headers."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime

from concord.intelligence.models import FeedObject
from concord.intelligence.taxii import protocol


def limit(request: HttpRequest) -> int:
    """The page size asked for, at most TAXII_MAX_PAGE."""
    raw = request.GET.get("limit", "")
    if not raw:
        return protocol.DEFAULT_PAGE
    try:
        limit = int(raw)
    except ValueError:
        raise protocol.TaxiiError(400, "Bad limit", "limit is a whole number.") from None
    if limit < 1:
        raise protocol.TaxiiError(400, "Bad limit", "limit is at least 1.")
    return min(limit, settings.TAXII_MAX_PAGE)


def timestamp(value: str, name: str) -> dt.datetime:
    """A timestamp from a query parameter, in UTC; 400 naming the parameter if it is not one.

    A well-formed but impossible value (30 February, hour 25) raises ValueError inside
    parse_datetime, and one at the edge of the calendar with an offset (year 1 at +01:00)
    raises OverflowError when moved to UTC: both are the client's mistake, not ours."""
    try:
        parsed = parse_datetime(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        if parsed is None:
            raise ValueError(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise protocol.TaxiiError(
            400, f"Bad {name}", f"{name} is a timestamp such as 2026-11-29T12:00:00Z."
        ) from None


def listed(request: HttpRequest, name: str) -> list[str]:
    """The comma-separated values of a match parameter, blanks dropped."""
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def added_bounds(request: HttpRequest) -> list[dt.datetime]:
    """The lower bounds on date_added that added_after and next set (both exclusive)."""
    bounds = []
    for name in ("added_after", "next"):
        if request.GET.get(name):
            bounds.append(timestamp(request.GET[name], name))
    return bounds


def spec_matched(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows, or none if match[spec_version] names no version we serve (only 2.1)."""
    spec = listed(request, "match[spec_version]")
    return rows.none() if spec and "2.1" not in spec else rows


def matched(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows narrowed by match[id], match[type], match[spec_version] and match[version]
    (the last version unless it says otherwise)."""
    if ids := listed(request, "match[id]"):
        if not all(protocol.STIX_ID.fullmatch(v) for v in ids):
            raise protocol.TaxiiError(400, "Bad match[id]", "match[id] lists STIX ids, type--UUID.")
        rows = rows.filter(stix_id__in=ids)
    if kinds := listed(request, "match[type]"):
        if not all(protocol.STIX_TYPE.fullmatch(v) for v in kinds):
            raise protocol.TaxiiError(
                400, "Bad match[type]", "match[type] lists STIX object types."
            )
        rows = rows.filter(kind__in=kinds)
    rows = spec_matched(request, rows)
    wanted = listed(request, "match[version]") or ["last"]
    if "all" in wanted:
        return rows
    stamps = [timestamp(v, "match[version]") for v in wanted if v not in {"first", "last"}]
    # Any of the values may match, so "first,last" is both ends and a version list adds to
    # them; the common cases stay a single anti-join.
    conditions: list[Any] = []
    if "last" in wanted:
        conditions.append(~Exists(_other_versions(version__gt=OuterRef("version"))))
    if "first" in wanted:
        conditions.append(~Exists(_other_versions(version__lt=OuterRef("version"))))
    if stamps:
        conditions.append(Q(version__in=stamps))
    return rows.filter(functools.reduce(operator.or_, conditions))


def _other_versions(**version: Any) -> QuerySet[FeedObject]:
    """Other versions of the outer row's object in the same feed, for first and last."""
    return FeedObject.objects.filter(
        organisation=OuterRef("organisation"), stix_id=OuterRef("stix_id"), **version
    )


def filtered(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows narrowed by every filter the objects and manifest resources take."""
    for bound in added_bounds(request):
        rows = rows.filter(date_added__gt=bound)
    return matched(request, rows)


def page_of(request: HttpRequest, rows: QuerySet[FeedObject]) -> tuple[list[FeedObject], bool]:
    """One page of these rows after the request's filters, in date_added order, and whether
    more follow."""
    rows = filtered(request, rows).order_by("date_added", "id")
    size = limit(request)
    page = list(rows.only("stix_id", "version", "date_added", "body", "report_id")[: size + 1])
    return page[:size], len(page) > size


def range_headers(page: list[FeedObject]) -> dict[str, str]:
    """X-TAXII-Date-Added-First and -Last for a page."""
    if not page:
        return {}
    return {
        "X-TAXII-Date-Added-First": protocol.stamp(page[0].date_added),
        "X-TAXII-Date-Added-Last": protocol.stamp(page[-1].date_added),
    }
