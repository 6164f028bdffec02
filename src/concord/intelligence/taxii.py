"""A TAXII 2.1 server at /taxii2/ (OASIS TAXII Version 2.1, sections 4 and 5).

One API root (`/taxii2/api/`) with these collections, listed only to those who may read or
write them:

- "Intelligence exchange" (`EXCHANGE`): everything shared with the reader's organisation that
  the reader may see under the access policy; a registered peer adds signed bundles here.
- one read-only collection per sharing group the reader's organisation belongs to: the part of
  the exchange that the group's organisations originated, with the definitions it uses.

Authentication is a bearer token (the API's). Objects and manifests page by `limit` and `next`
and filter by `added_after`, `match[id]`, `match[type]`, `match[version]` and
`match[spec_version]`; responses carry X-TAXII-Date-Added-First/Last. Every page served is
signed as the peers' bundles are (signing.py), and every read of objects, one object, its
versions or a manifest is audited as an export.

Each resource answers only the methods sections 4 and 5 give it (405 with an Allow header
otherwise); every error, including an unknown path under /taxii2/, is a TAXII error message
in the TAXII media type.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from concord.core import audit
from concord.core.models import AuditAction
from concord.intelligence import feed, ingest, signing, stix
from concord.intelligence.models import FeedObject, Peer, SharingGroup, TaxiiStatus
from concord.organisations.auth import user_for_token
from concord.organisations.models import Organisation, User

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


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """A TAXII response with this JSON body (compact: pages can be large)."""
    return _text(json.dumps(data, separators=(",", ":")), status, headers)


def _text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """A TAXII response with this body, already JSON text."""
    response = HttpResponse(body, status=status, content_type=TAXII)
    # Always a length, so a client can tell a page cut short from a whole one.
    response["Content-Length"] = str(len(response.content))
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(error: TaxiiError) -> HttpResponse:
    """The error message resource for this error, in the TAXII media type."""
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="concord"'
    return _json(body, error.status, headers)


def _stamp(value: dt.datetime) -> str:
    """A TAXII timestamp (RFC 3339, UTC, microseconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
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


def _is_taxii(kind: str, params: dict[str, str]) -> bool:
    """Whether a media type is TAXII 2.1: a TAXII type without a version means the latest,
    which is 2.1 here."""
    return kind == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def _acceptable(header: str) -> bool:
    """Whether an Accept header lets us answer in the TAXII 2.1 media type. An empty header
    accepts anything (RFC 9110 section 12.5.1); a range with q=0 refuses what it names."""
    ranges = _media_ranges(header)
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
        if kind in {"*/*", "application/*"} or _is_taxii(kind, params):
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
                return _error(error)

        return wrapped

    return decorate


def _root_url(request: HttpRequest) -> str:
    """The one API root's absolute URL."""
    return request.build_absolute_uri("/taxii2/api/")


@endpoint("GET")
def discovery(request: HttpRequest, user: User) -> HttpResponse:
    """Server discovery (section 4.1)."""
    return _json(
        {
            "title": "Concord TAXII 2.1",
            "description": "Graded intelligence exchanged between forces, ROCUs, the NCA and "
            "partners.",
            "default": _root_url(request),
            "api_roots": [_root_url(request)],
        }
    )


@endpoint("GET")
def api_root(request: HttpRequest, user: User) -> HttpResponse:
    """API root information (section 4.2)."""
    return _json(
        {
            "title": "Concord intelligence",
            "versions": [TAXII],
            "max_content_length": settings.TAXII_MAX_CONTENT_LENGTH,
        }
    )


@endpoint()
def not_found(request: HttpRequest, user: User) -> HttpResponse:
    """Any other path under /taxii2/ (an unknown API root, a resource that does not exist):
    a TAXII 404 rather than Django's page, whatever the method. A path that lacks only its
    final slash is named with it, as every TAXII URL ends in one."""
    description = "There is no TAXII resource at this URL; the API root is /taxii2/api/."
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            description = f"TAXII URLs end with a slash: {request.path_info}/"
    raise TaxiiError(404, "Not found", description)


def _peer(user: User) -> Peer | None:
    """The active peer whose service account this is, if it is one."""
    return (
        Peer.objects.filter(account=user, active=True)
        .select_related("organisation", "local_organisation")
        .first()
    )


def _group_collection_id(group: SharingGroup) -> str:
    """A sharing group's collection id: stable, and telling nothing of the group's key."""
    return str(uuid.uuid5(NAMESPACE, f"collection:group:{group.pk}"))


def _readable_groups(user: User) -> QuerySet[SharingGroup]:
    """The sharing groups whose collections this reader has."""
    return SharingGroup.objects.filter(organisations=user.acting_organisation()).order_by("pk")


def _collections(user: User) -> list[dict[str, Any]]:
    """The collection resources this reader may see (section 5.1)."""
    organisation = user.acting_organisation()
    writable = _peer(user) is not None
    listed = [
        {
            "id": EXCHANGE,
            "title": "Intelligence exchange",
            "description": f"Intelligence shared with {organisation.name}.",
            "can_read": True,
            "can_write": writable,
            "media_types": [STIX],
        }
    ]
    for group in _readable_groups(user):
        listed.append(
            {
                "id": _group_collection_id(group),
                "title": group.name,
                "description": f"Intelligence shared with {organisation.name} by members of "
                f"{group.name}.",
                "can_read": True,
                "can_write": False,
                "media_types": [STIX],
            }
        )
    return listed


def _collection(
    user: User, collection_id: str
) -> tuple[dict[str, Any], QuerySet[Organisation] | None]:
    """The collection resource and, for a sharing group's, the group's organisations; 404 for
    a collection that is not the reader's (it looks absent, as the house rule has it)."""
    for collection in _collections(user):
        if collection["id"] == collection_id:
            owners = None
            if collection_id != EXCHANGE:
                group = next(
                    g for g in _readable_groups(user) if _group_collection_id(g) == collection_id
                )
                owners = group.organisations.all()
            return collection, owners
    raise TaxiiError(404, "No such collection", "Not found, or not yours to read.")


def _collection_rows(user: User, collection_id: str) -> QuerySet[FeedObject]:
    """The feed rows in this collection that the reader may see now: the one place that says
    what a collection holds, for its objects, one object, its versions and its manifest.

    A sharing group's collection holds the objects of reports its organisations own, and the
    definitions: marking and extension definitions (shared by every report) and the
    identities of the group's own organisations, not those of organisations outside it."""
    _meta, owners = _collection(user, collection_id)
    peer = _peer(user)
    rows = feed.readable(user, owners=owners, peer_id=peer.pk if peer else None)
    if owners is not None:
        members = [stix.identity_id(code) for code in owners.values_list("code", flat=True)]
        rows = rows.filter(~Q(kind="identity", report__isnull=True) | Q(stix_id__in=members))
    return rows


@endpoint("GET")
def collections(request: HttpRequest, user: User) -> HttpResponse:
    """Get collections (section 5.1)."""
    return _json({"collections": _collections(user)})


@endpoint("GET")
def collection(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get a collection (section 5.2)."""
    return _json(_collection(user, collection_id)[0])


def _limit(request: HttpRequest) -> int:
    """The page size asked for, at most TAXII_MAX_PAGE."""
    raw = request.GET.get("limit", "")
    if not raw:
        return DEFAULT_PAGE
    try:
        limit = int(raw)
    except ValueError:
        raise TaxiiError(400, "Bad limit", "limit is a whole number.") from None
    if limit < 1:
        raise TaxiiError(400, "Bad limit", "limit is at least 1.")
    return min(limit, settings.TAXII_MAX_PAGE)


def _timestamp(value: str, name: str) -> dt.datetime:
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
        raise TaxiiError(
            400, f"Bad {name}", f"{name} is a timestamp such as 2026-11-29T12:00:00Z."
        ) from None


def _listed(request: HttpRequest, name: str) -> list[str]:
    """The comma-separated values of a match parameter, blanks dropped."""
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _added(request: HttpRequest) -> list[dt.datetime]:
    """The lower bounds on date_added that added_after and next set (both exclusive)."""
    bounds = []
    for name in ("added_after", "next"):
        if request.GET.get(name):
            bounds.append(_timestamp(request.GET[name], name))
    return bounds


def _spec_matched(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows, or none if match[spec_version] names no version we serve (only 2.1)."""
    spec = _listed(request, "match[spec_version]")
    return rows.none() if spec and "2.1" not in spec else rows


def _matched(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows narrowed by match[id], match[type], match[spec_version] and match[version]
    (the last version unless it says otherwise)."""
    if ids := _listed(request, "match[id]"):
        if not all(STIX_ID.fullmatch(v) for v in ids):
            raise TaxiiError(400, "Bad match[id]", "match[id] lists STIX ids, type--UUID.")
        rows = rows.filter(stix_id__in=ids)
    if kinds := _listed(request, "match[type]"):
        if not all(STIX_TYPE.fullmatch(v) for v in kinds):
            raise TaxiiError(400, "Bad match[type]", "match[type] lists STIX object types.")
        rows = rows.filter(kind__in=kinds)
    rows = _spec_matched(request, rows)
    wanted = _listed(request, "match[version]") or ["last"]
    if "all" in wanted:
        return rows
    stamps = [_timestamp(v, "match[version]") for v in wanted if v not in {"first", "last"}]
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


def _filtered(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    """These rows narrowed by every filter the objects and manifest resources take."""
    for bound in _added(request):
        rows = rows.filter(date_added__gt=bound)
    return _matched(request, rows)


def _page(request: HttpRequest, rows: QuerySet[FeedObject]) -> tuple[list[FeedObject], bool]:
    """One page of these rows after the request's filters, in date_added order, and whether
    more follow."""
    rows = _filtered(request, rows).order_by("date_added", "id")
    limit = _limit(request)
    page = list(rows.only("stix_id", "version", "date_added", "body", "report_id")[: limit + 1])
    return page[:limit], len(page) > limit


def _range_headers(page: list[FeedObject]) -> dict[str, str]:
    """X-TAXII-Date-Added-First and -Last for a page."""
    if not page:
        return {}
    return {
        "X-TAXII-Date-Added-First": _stamp(page[0].date_added),
        "X-TAXII-Date-Added-Last": _stamp(page[-1].date_added),
    }


def _audit_export(user: User, collection_id: str, page: list[FeedObject], what: str) -> None:
    """Audit what a page disclosed of which reports, naming the resource read (`what`:
    objects, object, versions or manifest); a page with no report's rows discloses none."""
    reports = sorted({row.report_id for row in page if row.report_id})
    if reports:
        audit.record(
            AuditAction.EXPORT,
            actor=user,
            object_type="intelligence.intelreport",
            detail={"taxii": what, "collection": collection_id, "reports": reports[:1000]},
        )


def _addressing(user: User) -> dict[str, str]:
    """From and to, signed with the page, when the reader is a peer: the organisation this
    instance acts for with that peer, and the peer's own."""
    peer = _peer(user)
    if peer is None:
        return {}
    return {"x_concord_from": peer.local_organisation.code, "x_concord_to": peer.organisation.code}


def _envelope(user: User, page: list[FeedObject], more: bool) -> HttpResponse:
    """A signed envelope of these rows, with its next token and range headers."""
    unsigned = feed.envelope_text(
        [row.body for row in page],
        more=more,
        next_token=_stamp(page[-1].date_added) if more else None,
        extra=_addressing(user),
    )
    return _text(signing.signed_text(unsigned), headers=_range_headers(page))


@endpoint("GET", "POST")
def objects(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get objects (section 5.4), or add them (section 5.5)."""
    if request.method == "POST":
        return _add(request, user, collection_id)
    page, more = _page(request, _collection_rows(user, collection_id))
    _audit_export(user, collection_id, page, "objects")
    return _envelope(user, page, more)


def _object_rows(user: User, collection_id: str, object_id: str) -> QuerySet[FeedObject]:
    """The rows of one object in this collection; 404 for an id that cannot be one (so an odd
    id never reaches the database) or, later, for one the collection does not hold."""
    rows = _collection_rows(user, collection_id)
    if not STIX_ID.fullmatch(object_id):
        raise TaxiiError(404, "No such object", "Not in this collection.")
    return rows.filter(stix_id=object_id)


@endpoint("GET")
def get_object(
    request: HttpRequest, user: User, collection_id: str, object_id: str
) -> HttpResponse:
    """Get an object (section 5.6): its versions in this collection that the filters
    match. Deleting an object (section 5.7) is not offered."""
    page, more = _page(request, _object_rows(user, collection_id, object_id))
    if not page:
        raise TaxiiError(404, "No such object", "Not in this collection.")
    _audit_export(user, collection_id, page, "object")
    return _envelope(user, page, more)


@endpoint("GET")
def versions(request: HttpRequest, user: User, collection_id: str, object_id: str) -> HttpResponse:
    """Get object versions (section 5.8): the versions of one object in this collection, in
    the order they were added, filtered by added_after and match[spec_version] and paged by
    limit and next.

    An object a report names (an OCG, a person) has a row per report it came with, so the
    same version can be added more than once: each version is listed once, when it was
    first added, and paging goes by that date so no version comes round again."""
    rows = _spec_matched(request, _object_rows(user, collection_id, object_id))
    first: dict[dt.datetime, FeedObject] = {}
    for row in rows.order_by("date_added", "id").only("version", "date_added", "report_id"):
        first.setdefault(row.version, row)
    if not first:
        raise TaxiiError(404, "No such object", "Not in this collection.")
    bounds = _added(request)
    listed = [row for row in first.values() if all(row.date_added > b for b in bounds)]
    limit = _limit(request)
    page, more = listed[:limit], len(listed) > limit
    _audit_export(user, collection_id, page, "versions")
    body: dict[str, Any] = {"more": more, "versions": [stix.timestamp(row.version) for row in page]}
    if more:
        body["next"] = _stamp(page[-1].date_added)
    return _json(body, headers=_range_headers(page))


@endpoint("GET")
def manifest(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get object manifests (section 5.3): what the objects resource would serve, without
    the objects' content."""
    page, more = _page(request, _collection_rows(user, collection_id))
    _audit_export(user, collection_id, page, "manifest")
    body: dict[str, Any] = {
        "more": more,
        "objects": [
            {
                "id": row.stix_id,
                "date_added": _stamp(row.date_added),
                "version": stix.timestamp(row.version),
                "media_type": STIX,
            }
            for row in page
        ],
    }
    if more:
        body["next"] = _stamp(page[-1].date_added)
    return _json(body, headers=_range_headers(page))


def _declared_length(request: HttpRequest) -> int:
    """The Content-Length the client declared (0 if none); 400 if it is not a length."""
    raw = request.headers.get("Content-Length") or "0"
    try:
        declared = int(raw)
    except ValueError:
        raise TaxiiError(
            400, "Bad Content-Length", "Content-Length is a number of bytes."
        ) from None
    if declared < 0:
        raise TaxiiError(400, "Bad Content-Length", "Content-Length is a number of bytes.")
    return declared


def _add(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Add objects (section 5.5): a registered peer's signed envelope, ingested whole or not
    at all. Checked in this order: 404 for a collection not the reader's, 403
    for one they may not write, 415 for a body not in the TAXII media type, 413 for one over
    max_content_length, 422 for one that is malformed or rejected."""
    meta, _owners = _collection(user, collection_id)
    peer = _peer(user)
    if not meta["can_write"] or peer is None:
        raise TaxiiError(403, "Read only", "Only a registered peer adds objects here.")
    ranges = _media_ranges(request.headers.get("Content-Type", ""))
    if len(ranges) != 1 or not _is_taxii(*ranges[0]):
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII}.")
    too_large = TaxiiError(
        413,
        "Too large",
        f"The bundle is over max_content_length ({settings.TAXII_MAX_CONTENT_LENGTH}).",
    )
    if _declared_length(request) > settings.TAXII_MAX_CONTENT_LENGTH:
        raise too_large
    raw = request.read(settings.TAXII_MAX_CONTENT_LENGTH + 1)
    if len(raw) > settings.TAXII_MAX_CONTENT_LENGTH:
        raise too_large
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # Section 5.5 gives 422 for a malformed body; nesting deep enough to exhaust the
        # decoder's stack is malformed too, not a server error.
        raise TaxiiError(422, "Malformed bundle", "The body is not a JSON envelope.") from None
    received_at = timezone.now()
    try:
        result = ingest.ingest(peer, envelope)
    except ingest.BundleRejectedError as error:
        audit.record(
            AuditAction.UPDATE,
            actor=user,
            detail={"taxii": "bundle rejected", "peer": peer.name, "why": str(error)[:500]},
        )
        raise TaxiiError(422, "Bundle rejected", str(error)) from None
    status = TaxiiStatus.objects.create(
        id=uuid.uuid4(),
        user=user,
        request_timestamp=received_at,
        total_count=result.objects,
        success_count=result.objects,
    )
    Peer.objects.filter(pk=peer.pk).update(last_synced_at=timezone.now())
    return _json(_status_body(status), 202)


def _status_body(status: TaxiiStatus) -> dict[str, Any]:
    """The status resource (section 4.3.1); ingest is synchronous, so always complete."""
    return {
        "id": str(status.id),
        "status": "complete",
        "request_timestamp": _stamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "failure_count": len(status.failures),
        "pending_count": 0,
        "failures": status.failures,
    }


@endpoint("GET")
def status(request: HttpRequest, user: User, status_id: str) -> HttpResponse:
    """Get status (section 4.3): only the reader's own; anyone else's is absent."""
    try:
        found = TaxiiStatus.objects.get(pk=uuid.UUID(status_id), user=user)
    except (ValueError, TaxiiStatus.DoesNotExist):
        raise TaxiiError(404, "No such status") from None
    return _json(_status_body(found))
