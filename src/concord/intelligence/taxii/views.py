"""The TAXII 2.1 resources (sections 4 and 5): discovery, the API root, collections, objects,
one object and its versions, the manifest, adding objects and their status."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from concord.core import audit
from concord.core.models import AuditAction
from concord.intelligence import feed, ingest, signing, stix
from concord.intelligence.models import FeedObject, Peer, SharingGroup, TaxiiStatus
from concord.intelligence.taxii import paging, protocol
from concord.organisations.models import Organisation, User


def _root_url(request: HttpRequest) -> str:
    """The one API root's absolute URL."""
    return request.build_absolute_uri("/taxii2/api/")


@protocol.endpoint("GET")
def discovery(request: HttpRequest, user: User) -> HttpResponse:
    """Server discovery (section 4.1)."""
    return protocol.json_response(
        {
            "title": "Concord TAXII 2.1",
            "description": "Graded intelligence exchanged between forces, ROCUs, the NCA and "
            "partners.",
            "default": _root_url(request),
            "api_roots": [_root_url(request)],
        }
    )


@protocol.endpoint("GET")
def api_root(request: HttpRequest, user: User) -> HttpResponse:
    """API root information (section 4.2)."""
    return protocol.json_response(
        {
            "title": "Concord intelligence",
            "versions": [protocol.TAXII],
            "max_content_length": settings.TAXII_MAX_CONTENT_LENGTH,
        }
    )


@protocol.endpoint()
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
    raise protocol.TaxiiError(404, "Not found", description)


def _peer(user: User) -> Peer | None:
    """The active peer whose service account this is, if it is one."""
    return (
        Peer.objects.filter(account=user, active=True)
        .select_related("organisation", "local_organisation")
        .first()
    )


def _group_collection_id(group: SharingGroup) -> str:
    """A sharing group's collection id: stable, and telling nothing of the group's key."""
    return str(uuid.uuid5(protocol.NAMESPACE, f"collection:group:{group.pk}"))


def _readable_groups(user: User) -> QuerySet[SharingGroup]:
    """The sharing groups whose collections this reader has."""
    return SharingGroup.objects.filter(organisations=user.acting_organisation()).order_by("pk")


def _collections(user: User) -> list[dict[str, Any]]:
    """The collection resources this reader may see (section 5.1)."""
    organisation = user.acting_organisation()
    writable = _peer(user) is not None
    listed = [
        {
            "id": protocol.EXCHANGE,
            "title": "Intelligence exchange",
            "description": f"Intelligence shared with {organisation.name}.",
            "can_read": True,
            "can_write": writable,
            "media_types": [protocol.STIX],
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
                "media_types": [protocol.STIX],
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
            if collection_id != protocol.EXCHANGE:
                group = next(
                    g for g in _readable_groups(user) if _group_collection_id(g) == collection_id
                )
                owners = group.organisations.all()
            return collection, owners
    raise protocol.TaxiiError(404, "No such collection", "Not found, or not yours to read.")


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


@protocol.endpoint("GET")
def collections(request: HttpRequest, user: User) -> HttpResponse:
    """Get collections (section 5.1)."""
    return protocol.json_response({"collections": _collections(user)})


@protocol.endpoint("GET")
def collection(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get a collection (section 5.2)."""
    return protocol.json_response(_collection(user, collection_id)[0])


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
        next_token=protocol.stamp(page[-1].date_added) if more else None,
        extra=_addressing(user),
    )
    return protocol.text_response(signing.signed_text(unsigned), headers=paging.range_headers(page))


@protocol.endpoint("GET", "POST")
def objects(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get objects (section 5.4), or add them (section 5.5)."""
    if request.method == "POST":
        return _add(request, user, collection_id)
    page, more = paging.page_of(request, _collection_rows(user, collection_id))
    _audit_export(user, collection_id, page, "objects")
    return _envelope(user, page, more)


def _object_rows(user: User, collection_id: str, object_id: str) -> QuerySet[FeedObject]:
    """The rows of one object in this collection; 404 for an id that cannot be one (so an odd
    id never reaches the database) or, later, for one the collection does not hold."""
    rows = _collection_rows(user, collection_id)
    if not protocol.STIX_ID.fullmatch(object_id):
        raise protocol.TaxiiError(404, "No such object", "Not in this collection.")
    return rows.filter(stix_id=object_id)


@protocol.endpoint("GET")
def get_object(
    request: HttpRequest, user: User, collection_id: str, object_id: str
) -> HttpResponse:
    """Get an object (section 5.6): its versions in this collection that the filters
    match. Deleting an object (section 5.7) is not offered."""
    page, more = paging.page_of(request, _object_rows(user, collection_id, object_id))
    if not page:
        raise protocol.TaxiiError(404, "No such object", "Not in this collection.")
    _audit_export(user, collection_id, page, "object")
    return _envelope(user, page, more)


@protocol.endpoint("GET")
def versions(request: HttpRequest, user: User, collection_id: str, object_id: str) -> HttpResponse:
    """Get object versions (section 5.8): the versions of one object in this collection, in
    the order they were added, filtered by added_after and match[spec_version] and paged by
    limit and next.

    An object a report names (an OCG, a person) has a row per report it came with, so the
    same version can be added more than once: each version is listed once, when it was
    first added, and paging goes by that date so no version comes round again."""
    rows = paging.spec_matched(request, _object_rows(user, collection_id, object_id))
    first: dict[dt.datetime, FeedObject] = {}
    for row in rows.order_by("date_added", "id").only("version", "date_added", "report_id"):
        first.setdefault(row.version, row)
    if not first:
        raise protocol.TaxiiError(404, "No such object", "Not in this collection.")
    bounds = paging.added_bounds(request)
    listed = [row for row in first.values() if all(row.date_added > b for b in bounds)]
    limit = paging.limit(request)
    page, more = listed[:limit], len(listed) > limit
    _audit_export(user, collection_id, page, "versions")
    body: dict[str, Any] = {"more": more, "versions": [stix.timestamp(row.version) for row in page]}
    if more:
        body["next"] = protocol.stamp(page[-1].date_added)
    return protocol.json_response(body, headers=paging.range_headers(page))


@protocol.endpoint("GET")
def manifest(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Get object manifests (section 5.3): what the objects resource would serve, without
    the objects' content."""
    page, more = paging.page_of(request, _collection_rows(user, collection_id))
    _audit_export(user, collection_id, page, "manifest")
    body: dict[str, Any] = {
        "more": more,
        "objects": [
            {
                "id": row.stix_id,
                "date_added": protocol.stamp(row.date_added),
                "version": stix.timestamp(row.version),
                "media_type": protocol.STIX,
            }
            for row in page
        ],
    }
    if more:
        body["next"] = protocol.stamp(page[-1].date_added)
    return protocol.json_response(body, headers=paging.range_headers(page))


def _declared_length(request: HttpRequest) -> int:
    """The Content-Length the client declared (0 if none); 400 if it is not a length."""
    raw = request.headers.get("Content-Length") or "0"
    try:
        declared = int(raw)
    except ValueError:
        raise protocol.TaxiiError(
            400, "Bad Content-Length", "Content-Length is a number of bytes."
        ) from None
    if declared < 0:
        raise protocol.TaxiiError(400, "Bad Content-Length", "Content-Length is a number of bytes.")
    return declared


def _add(request: HttpRequest, user: User, collection_id: str) -> HttpResponse:
    """Add objects (section 5.5): a registered peer's signed envelope, ingested whole or not
    at all. Checked in this order: 404 for a collection not the reader's, 403
    for one they may not write, 415 for a body not in the TAXII media type, 413 for one over
    max_content_length, 422 for one that is malformed or rejected."""
    meta, _owners = _collection(user, collection_id)
    peer = _peer(user)
    if not meta["can_write"] or peer is None:
        raise protocol.TaxiiError(403, "Read only", "Only a registered peer adds objects here.")
    ranges = protocol.media_ranges(request.headers.get("Content-Type", ""))
    if len(ranges) != 1 or not protocol.is_taxii(*ranges[0]):
        raise protocol.TaxiiError(415, "Unsupported media type", f"Send {protocol.TAXII}.")
    too_large = protocol.TaxiiError(
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
        raise protocol.TaxiiError(
            422, "Malformed bundle", "The body is not a JSON envelope."
        ) from None
    received_at = timezone.now()
    try:
        result = ingest.ingest(peer, envelope)
    except ingest.BundleRejectedError as error:
        audit.record(
            AuditAction.UPDATE,
            actor=user,
            detail={"taxii": "bundle rejected", "peer": peer.name, "why": str(error)[:500]},
        )
        raise protocol.TaxiiError(422, "Bundle rejected", str(error)) from None
    status = TaxiiStatus.objects.create(
        id=uuid.uuid4(),
        user=user,
        request_timestamp=received_at,
        total_count=result.objects,
        success_count=result.objects,
    )
    Peer.objects.filter(pk=peer.pk).update(last_synced_at=timezone.now())
    return protocol.json_response(_status_body(status), 202)


def _status_body(status: TaxiiStatus) -> dict[str, Any]:
    """The status resource (section 4.3.1); ingest is synchronous, so always complete."""
    return {
        "id": str(status.id),
        "status": "complete",
        "request_timestamp": protocol.stamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "failure_count": len(status.failures),
        "pending_count": 0,
        "failures": status.failures,
    }


@protocol.endpoint("GET")
def status(request: HttpRequest, user: User, status_id: str) -> HttpResponse:
    """Get status (section 4.3): only the reader's own; anyone else's is absent."""
    try:
        found = TaxiiStatus.objects.get(pk=uuid.UUID(status_id), user=user)
    except (ValueError, TaxiiStatus.DoesNotExist):
        raise protocol.TaxiiError(404, "No such status") from None
    return protocol.json_response(_status_body(found))
