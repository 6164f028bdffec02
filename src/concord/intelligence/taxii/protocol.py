"""TAXII 2.1's protocol rules (sections 1.6, 3 and 4): media types, error messages, timestamps,
and the wrapper every resource goes through (method, bearer token, content negotiation)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from concord.organisations.auth import user_for_token

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
NAMESPACE = uuid.UUID("2d0c8b1e-7f0e-4a57-9b8e-3f1c8a7e6d10")
EXCHANGE = str(uuid.uuid5(NAMESPACE, "collection:exchange"))
DEFAULT_PAGE = 1000
# STIX 2.1 identifiers (type--UUID) and type names: checked before any of it reaches the
# database, where PostgreSQL refuses a NUL in a string with an error rather than no match.
STIX_TYPE = re.compile(r"[a-z0-9][a-z0-9-]{1,248}[a-z0-9]")
STIX_ID = re.compile(
    r"[a-z0-9][a-z0-9-]{1,248}[a-z0-9]--"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

View = Callable[..., HttpResponse]


class TaxiiError(Exception):
    """An answer other than success: the HTTP status and the error message's title and
    description, with any headers the status needs (Allow for 405)."""

    def __init__(
        self,
        status: int,
        title: str,
        description: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Keep what the error message will say."""
        super().__init__(title)
        self.status, self.title, self.description = status, title, description
        self.headers = headers or {}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """A TAXII response with this JSON body (compact: pages can be large)."""
    return text_response(json.dumps(data, separators=(",", ":")), status, headers)


def text_response(
    body: str, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """A TAXII response with this body, already JSON text."""
    response = HttpResponse(body, status=status, content_type=TAXII)
    # Always a length, so a client can tell a page cut short from a whole one.
    response["Content-Length"] = str(len(response.content))
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    """The error message resource for this error, in the TAXII media type."""
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="concord"'
    return json_response(body, error.status, headers)


def stamp(value: dt.datetime) -> str:
    """A TAXII timestamp (RFC 3339, UTC, microseconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    """The media ranges of an Accept or Content-Type header, each as its lower-cased type and
    its parameters (RFC 9110 sections 8.3.1 and 12.5.1)."""
    ranges = []
    for part in header.split(","):
        kind, *params = (piece.strip() for piece in part.split(";"))
        if not kind:
            continue
        values = {}
        for param in params:
            name, _eq, value = param.partition("=")
            values[name.strip().lower()] = value.strip().strip('"')
        ranges.append((kind.lower(), values))
    return ranges


def is_taxii(kind: str, params: dict[str, str]) -> bool:
    """Whether a media type is TAXII 2.1: a TAXII type without a version means the latest,
    which is 2.1 here."""
    return kind == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def _acceptable(header: str) -> bool:
    """Whether an Accept header lets us answer in the TAXII 2.1 media type. An empty header
    accepts anything (RFC 9110 section 12.5.1); a range with q=0 refuses what it names."""
    ranges = media_ranges(header)
    if not ranges:
        return True
    for kind, params in ranges:
        try:
            weight = float(params.get("q", "1"))
        except ValueError:
            continue
        # Written so that NaN counts as refused, not as preferred.
        if not weight > 0:
            continue
        if kind in {"*/*", "application/*"} or is_taxii(kind, params):
            return True
    return False


def endpoint(*allowed: str) -> Callable[[View], View]:
    """Wrap a view with TAXII's rules, in this order: a path with a control character is
    malformed (400), then the method (405 with Allow unless one of `allowed`; none given
    means any, for the catch-all), then bearer-token authentication (401), then content
    negotiation (406), and TAXII error messages for every TaxiiError.

    The method comes first because which methods a resource takes is the same for everyone
    and for every collection id, so it says nothing about what exists."""

    def decorate(view: View) -> View:
        """Make the wrapped view."""

        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            """Check the request, then answer it or say what is wrong with it."""
            try:
                if CONTROL.search(request.path):
                    # No TAXII URL holds one, and a NUL would reach the audit of a 404
                    # (AuditContextMiddleware), which PostgreSQL cannot store.
                    raise TaxiiError(400, "Bad URL", "The path holds a control character.")
                if allowed and request.method not in allowed:
                    raise TaxiiError(
                        405,
                        "Method not allowed",
                        f"This resource answers {', '.join(allowed)}, not {request.method}.",
                        {"Allow": ", ".join(allowed)},
                    )
                header = request.headers.get("Authorization", "")
                scheme, _, token = header.partition(" ")
                user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
                if user is None:
                    raise TaxiiError(401, "Authentication required", "Send a bearer token.")
                request.user = user
                if not _acceptable(request.headers.get("Accept", "")):
                    raise TaxiiError(406, "Not acceptable", f"This server answers only {TAXII}.")
                return view(request, user, *args, **kwargs)
            except TaxiiError as error:
                return error_response(error)

        return wrapped

    return decorate
