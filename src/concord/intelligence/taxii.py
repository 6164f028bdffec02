"""A TAXII 2.1 server at /taxii2/ (OASIS TAXII Version 2.1, sections 4 and 5).

One API root (`/taxii2/api/`) with these collections, listed only to those who may read or
write them:

- "Intelligence exchange" (`EXCHANGE`): everything shared with the reader's organisation that
  the reader may see under the access policy; a registered peer adds signed bundles here.
- one read-only collection per sharing group the reader's organisation belongs to: the part of
  the exchange that the group's organisations originated.

Authentication is a bearer token (the API's). Objects and manifests page by `limit` and `next`
and filter by `added_after`, `match[id]`, `match[type]`, `match[version]` and
`match[spec_version]`; responses carry X-TAXII-Date-Added-First/Last. Every page served is
signed as the peers' bundles are (signing.py), and every page is audited as an export.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from concord.core import audit
from concord.core.models import AuditAction
from concord.intelligence import feed, ingest, signing
from concord.intelligence.models import FeedObject, Peer, SharingGroup, TaxiiStatus
from concord.organisations.auth import user_for_token
from concord.organisations.models import Organisation, User

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
NAMESPACE = uuid.UUID("2d0c8b1e-7f0e-4a57-9b8e-3f1c8a7e6d10")
EXCHANGE = str(uuid.uuid5(NAMESPACE, "collection:exchange"))
DEFAULT_PAGE = 1000


class TaxiiError(Exception):
    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return _text(json.dumps(data, separators=(",", ":")), status, headers)


def _text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=TAXII)
    # Always a length, so a client can tell a page cut short from a whole one.
    response["Content-Length"] = str(len(response.content))
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(error: TaxiiError) -> HttpResponse:
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    headers = {"WWW-Authenticate": 'Bearer realm="concord"'} if error.status == 401 else None
    return _json(body, error.status, headers)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Token authentication, content negotiation and TAXII error messages for a view."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise TaxiiError(401, "Authentication required", "Send a bearer token.")
            request.user = user
            accept = request.headers.get("Accept", TAXII).replace(" ", "").lower()
            if not any(
                kind in accept
                for kind in ("application/taxii+json", "application/*", "*/*", STIX.split(";")[0])
            ):
                raise TaxiiError(406, "Not acceptable", f"This server answers {TAXII}.")
            if "version=" in accept and "version=2.1" not in accept:
                raise TaxiiError(406, "Not acceptable", "Only TAXII 2.1 is served.")
            return view(request, user, *args, **kwargs)
        except TaxiiError as error:
            return _error(error)

    return wrapped


def _root_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/taxii2/api/")


@endpoint
def discovery(request: HttpRequest, user: User) -> HttpResponse:
    return _json(
        {
            "title": "Concord TAXII 2.1",
            "description": "Graded intelligence exchanged between forces, ROCUs, the NCA and "
            "partners.",
            "default": _root_url(request),
            "api_roots": [_root_url(request)],
        }
    )


@endpoint
def api_root(request: HttpRequest, user: User) -> HttpResponse:
    return _json(
        {
            "title": "Concord intelligence",
            "versions": [TAXII],
            "max_content_length": settings.TAXII_MAX_CONTENT_LENGTH,
        }
    )


def _peer(user: User) -> Peer | None:
    return (
        Peer.objects.filter(account=user, active=True)
        .select_related("organisation", "local_organisation")
        .first()
    )


def _collections(user: User) -> list[dict[str, Any]]:
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
    for group in SharingGroup.objects.filter(organisations=organisation).order_by("pk"):
        listed.append(
            {
                "id": str(uuid.uuid5(NAMESPACE, f"collection:group:{group.pk}")),
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
    for collection in _collections(user):
        if collection["id"] == collection_id:
            owners = None
            if collection_id != EXCHANGE:
                group = next(
                    g
                    for g in SharingGroup.objects.filter(organisations=user.acting_organisation())
                    if str(uuid.uuid5(NAMESPACE, f"collection:group:{g.pk}")) == collection_id
                )
                owners = group.organisations.all()
            return collection, owners
    raise TaxiiError(404, "No such collection", "Not found, or not yours to read.")


@endpoint
def collections(request: HttpRequest, user: User) -> HttpResponse:
    return _json({"collections": _collections(user)})


@endpoint
def collection(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    return _json(_collection(user, collection_id)[0])


def _limit(request: HttpRequest) -> int:
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


def _after(value: str, name: str) -> dt.datetime:
    parsed = parse_datetime(value.replace("Z", "+00:00"))
    if parsed is None:
        raise TaxiiError(400, f"Bad {name}", f"{name} is a timestamp such as 2026-11-29T12:00:00Z.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _filtered(request: HttpRequest, rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    if request.GET.get("added_after"):
        rows = rows.filter(date_added__gt=_after(request.GET["added_after"], "added_after"))
    if request.GET.get("next"):
        rows = rows.filter(date_added__gt=_after(request.GET["next"], "next"))
    if ids := [v for v in request.GET.get("match[id]", "").split(",") if v]:
        rows = rows.filter(stix_id__in=ids)
    if kinds := [v for v in request.GET.get("match[type]", "").split(",") if v]:
        rows = rows.filter(kind__in=kinds)
    spec = request.GET.get("match[spec_version]", "")
    if spec and "2.1" not in spec.split(","):
        rows = rows.none()
    versions = [v for v in request.GET.get("match[version]", "last").split(",") if v]
    if "all" in versions:
        return rows
    if versions == ["last"]:
        return feed.latest_only(rows)
    if versions == ["first"]:
        return _first_only(rows)
    stamps = [_after(v, "match[version]") for v in versions if v not in {"first", "last"}]
    return rows.filter(version__in=stamps)


def _first_only(rows: QuerySet[FeedObject]) -> QuerySet[FeedObject]:
    older = FeedObject.objects.filter(
        organisation=OuterRef("organisation"),
        stix_id=OuterRef("stix_id"),
        version__lt=OuterRef("version"),
    )
    return rows.filter(~Exists(older))


def _page(request: HttpRequest, user: User, collection_id: str) -> tuple[list[FeedObject], bool]:
    _meta, owners = _collection(user, collection_id)
    peer = _peer(user)
    rows = feed.readable(user, owners=owners, peer_id=peer.pk if peer else None)
    rows = _filtered(request, rows).order_by("date_added", "id")
    limit = _limit(request)
    page = list(rows.only("stix_id", "version", "date_added", "body", "report_id")[: limit + 1])
    return page[:limit], len(page) > limit


def _range_headers(page: list[FeedObject]) -> dict[str, str]:
    if not page:
        return {}
    return {
        "X-TAXII-Date-Added-First": _stamp(page[0].date_added),
        "X-TAXII-Date-Added-Last": _stamp(page[-1].date_added),
    }


def _audit_export(user: User, collection_id: str, page: list[FeedObject], what: str) -> None:
    reports = sorted({row.report_id for row in page if row.report_id})
    if reports:
        audit.record(
            AuditAction.EXPORT,
            actor=user,
            object_type="intelligence.intelreport",
            detail={"taxii": what, "collection": collection_id, "reports": reports[:1000]},
        )


@endpoint
def objects(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    if request.method == "POST":
        return _add(request, user, collection_id)
    if request.method != "GET":
        raise TaxiiError(405, "Method not allowed")
    page, more = _page(request, user, collection_id)
    _audit_export(user, collection_id, page, "objects")
    unsigned = feed.envelope_text(
        [row.body for row in page],
        more=more,
        next_token=_stamp(page[-1].date_added) if more else None,
        extra=_addressing(user),
    )
    return _text(signing.signed_text(unsigned), headers=_range_headers(page))


def _addressing(user: User) -> dict[str, str]:
    """From and to, signed with the page, when the reader is a peer: the organisation this
    instance acts for with that peer, and the peer's own."""
    peer = _peer(user)
    if peer is None:
        return {}
    return {"x_concord_from": peer.local_organisation.code, "x_concord_to": peer.organisation.code}


@endpoint
def object_versions(
    request: HttpRequest, user: User, collection_id: str, object_id: str
) -> HttpResponse:
    _collection(user, collection_id)
    peer = _peer(user)
    rows = feed.readable(user, peer_id=peer.pk if peer else None).filter(stix_id=object_id)
    if request.path.rstrip("/").endswith("/versions"):
        versions = sorted({_stamp(r.version) for r in rows.only("version")})
        if not versions:
            raise TaxiiError(404, "No such object")
        return _json({"more": False, "versions": versions})
    page = list(_filtered(request, rows).order_by("date_added", "id"))
    if not page:
        raise TaxiiError(404, "No such object")
    _audit_export(user, collection_id, page, "object")
    unsigned = feed.envelope_text(
        [row.body for row in page],
        more=False,
        next_token=None,
        extra=_addressing(user),
    )
    return _text(signing.signed_text(unsigned), headers=_range_headers(page))


@endpoint
def manifest(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    page, more = _page(request, user, collection_id)
    body: dict[str, Any] = {
        "more": more,
        "objects": [
            {
                "id": row.stix_id,
                "date_added": _stamp(row.date_added),
                "version": _stamp(row.version),
                "media_type": STIX,
            }
            for row in page
        ],
    }
    if more:
        body["next"] = _stamp(page[-1].date_added)
    return _json(body, headers=_range_headers(page))


def _add(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    meta, _owners = _collection(user, collection_id)
    peer = _peer(user)
    if not meta["can_write"] or peer is None:
        raise TaxiiError(403, "Read only", "Only a registered peer adds objects here.")
    content_type = request.headers.get("Content-Type", "").replace(" ", "").lower()
    if not content_type.startswith("application/taxii+json"):
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII}.")
    declared = int(request.headers.get("Content-Length") or 0)
    if declared > settings.TAXII_MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Too large", "The bundle is over max_content_length.")
    raw = request.read(settings.TAXII_MAX_CONTENT_LENGTH + 1)
    if len(raw) > settings.TAXII_MAX_CONTENT_LENGTH:
        raise TaxiiError(413, "Too large", "The bundle is over max_content_length.")
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "Malformed bundle", "The body is not JSON.") from None
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


@endpoint
def status(request: HttpRequest, user: User, status_id: str) -> HttpResponse:
    try:
        found = TaxiiStatus.objects.get(pk=uuid.UUID(status_id), user=user)
    except (ValueError, TaxiiStatus.DoesNotExist):
        raise TaxiiError(404, "No such status") from None
    return _json(_status_body(found))
