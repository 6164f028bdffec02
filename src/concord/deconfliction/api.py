"""Deconfliction API: register an operation, its subjects and deployments (each checked at
once), your hits as pointers, and the watch desk's queue; through the same services and the
same projections as the pages, so a hit shows the other party only as whom to call."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from concord.core import audit, policy
from concord.core.access import visible_one
from concord.core.api import WRITE, Id, Pagination, answers, text
from concord.core.models import AuditAction
from concord.deconfliction import services
from concord.deconfliction.choices import (
    DeploymentKind,
    OperationKind,
    Resolution,
    Side,
    SubjectKind,
)
from concord.deconfliction.models import MAX_RADIUS_M, Hit, HitSide, Operation

router = Router(tags=["deconfliction"])

# A hit's reference (DX- and eight letters or digits), as the watch desk's paths take it.
HitRef = Annotated[str, Path(max_length=16, pattern=r"^DX-[A-Z0-9]{8}$")]


class OperationIn(Schema):
    name: Annotated[str, text(1, 120)]
    kind: OperationKind = OperationKind.STANDALONE
    contact_name: Annotated[str, text(1, 120)]
    contact_phone: Annotated[str, text(0, 40)] = ""
    contact_email: Annotated[str, text(0, 254)] = ""
    starts: dt.date
    ends: dt.date | None = None
    classification: Annotated[str, Field(pattern=r"^(OFFICIAL|SECRET)$")] = "OFFICIAL"
    sensitive: bool = False


class OperationOut(Schema):
    id: int
    reference: str
    name: str
    owner: str
    kind: str
    contact_name: str
    starts: dt.date
    ends: dt.date | None

    @staticmethod
    def resolve_owner(obj: Operation) -> str:
        return obj.owner.code


class HitOut(Schema):
    """A hit as one party sees it: the pointer, and which of its own records it is about."""

    id: int
    reference: str
    kind: str
    urgent: bool
    found: dt.datetime
    status: str
    resolution: str
    operation: str
    other_organisation: str
    whom_to_call: str
    other_on_peer: str | None = Field(
        None, description="The code of the organisation whose peer instance holds the other side."
    )

    @staticmethod
    def resolve_reference(obj: HitSide) -> str:
        return obj.hit.reference

    @staticmethod
    def resolve_kind(obj: HitSide) -> str:
        return obj.hit.kind

    @staticmethod
    def resolve_urgent(obj: HitSide) -> bool:
        return obj.hit.urgent

    @staticmethod
    def resolve_found(obj: HitSide) -> dt.datetime:
        return obj.hit.created_at

    @staticmethod
    def resolve_status(obj: HitSide) -> str:
        return obj.hit.status

    @staticmethod
    def resolve_resolution(obj: HitSide) -> str:
        return obj.hit.resolution

    @staticmethod
    def resolve_operation(obj: HitSide) -> str:
        return obj.operation.reference

    @staticmethod
    def resolve_other_organisation(obj: HitSide) -> str:
        return obj.other_organisation.code

    @staticmethod
    def resolve_whom_to_call(obj: HitSide) -> str:
        return obj.other_contact

    @staticmethod
    def resolve_other_on_peer(obj: HitSide) -> str | None:
        found = obj.other_peer_organisation
        return found.code if found else None


class DeconflictionCheckOut(Schema):
    """What a registration found: the hits, as pointers."""

    id: int
    hits: list[HitOut]


class SubjectIn(Schema):
    kind: SubjectKind
    given_name: Annotated[str, text(0, 100)] = ""
    surname: Annotated[str, text(0, 100)] = ""
    aliases: Annotated[str, Field(max_length=500)] = ""
    dob: dt.date | None = None
    value: Annotated[str, text(0, 200)] = ""
    postcode: Annotated[str, text(0, 10)] = ""


class DeploymentIn(Schema):
    kind: DeploymentKind
    place: Annotated[str, text(0, 200)] = ""
    postcode: Annotated[str, text(0, 10)] = ""
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    radius_m: Annotated[int, Field(ge=10, le=MAX_RADIUS_M)] = 200
    starts: dt.datetime
    ends: dt.datetime
    urgent: bool = False


class DeskHitOut(Schema):
    """A hit at the watch desk: both pointers, never either side's records."""

    reference: str
    kind: str
    urgent: bool
    found: dt.datetime
    respond_by: dt.datetime
    status: str
    resolution: str
    party: str
    party_contact: str
    other_party: str
    other_party_contact: str
    on_peer: str | None = Field(
        None, description="The code of the organisation whose peer instance holds one side."
    )

    @staticmethod
    def resolve_found(obj: Hit) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_party(obj: Hit) -> str:
        return obj.a_organisation.code

    @staticmethod
    def resolve_party_contact(obj: Hit) -> str:
        return obj.a_contact

    @staticmethod
    def resolve_other_party(obj: Hit) -> str:
        return obj.b_organisation.code

    @staticmethod
    def resolve_other_party_contact(obj: Hit) -> str:
        return obj.b_contact

    @staticmethod
    def resolve_on_peer(obj: Hit) -> str | None:
        return obj.peer.organisation.code if obj.peer is not None else None


class ResolveIn(Schema):
    resolution: Resolution
    note: Annotated[str, text(0, 1000)] = ""


class ContactIn(Schema):
    side: Side


def _operations(request: HttpRequest) -> Any:
    return Operation.objects.visible_to(request.user).select_related("owner")


def _own(request: HttpRequest, pk: int) -> Operation:
    operation: Operation = visible_one(request.user, _operations(request), pk=pk)
    if not policy.may(request.user, policy.Act.DECONFLICT, operation):
        raise Http404
    return operation


def _sides(request: HttpRequest) -> Any:
    return HitSide.objects.visible_to(request.user).select_related(
        "hit__a_organisation", "hit__b_organisation", "hit__peer", "operation"
    )


def _pointers(request: HttpRequest, hits: list[Hit], operation: Operation) -> list[HitSide]:
    return list(_sides(request).filter(hit__in=hits, operation=operation))


@router.get(
    "/deconfliction/operations",
    response=answers(list[OperationOut], 422),
    summary="Deconfliction operations you may see",
)
@paginate(Pagination)
def list_operations(request: HttpRequest) -> Any:
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="deconfliction.operation",
        detail={"api": True},
    )
    return _operations(request).order_by("-starts", "-pk")


@router.post(
    "/deconfliction/operations",
    response=answers(OperationOut, WRITE, 404, 422, status=201),
    summary="Register an operation of your organisation",
)
def create_operation(request: HttpRequest, body: OperationIn) -> Any:
    try:
        operation = services.register_operation(
            actor=request.user, details=services.OperationDetails(**body.dict())
        )
    except PermissionDenied:
        raise Http404 from None
    return Status(201, operation)


@router.get(
    "/deconfliction/operations/{pk}",
    response=answers(OperationOut, 404, 422),
    summary="One deconfliction operation",
)
def get_operation(request: HttpRequest, pk: Id) -> Operation:
    operation: Operation = visible_one(request.user, _operations(request), pk=pk)
    audit.record(AuditAction.VIEW, actor=request.user, obj=operation, detail={"api": True})
    return operation


@router.post(
    "/deconfliction/operations/{pk}/subjects",
    response=answers(DeconflictionCheckOut, WRITE, 404, 422, status=201),
    summary="Register a subject and check it at once; hits come back as pointers",
)
def add_subject(request: HttpRequest, pk: Id, body: SubjectIn) -> Any:
    operation = _own(request, pk)
    subject, hits = services.register_subject(
        actor=request.user, operation=operation, details=services.SubjectDetails(**body.dict())
    )
    return Status(201, {"id": subject.pk, "hits": _pointers(request, hits, operation)})


@router.post(
    "/deconfliction/operations/{pk}/deployments",
    response=answers(DeconflictionCheckOut, WRITE, 404, 422, status=201),
    summary="Register a planned deployment and check it at once; hits come back as pointers",
)
def add_deployment(request: HttpRequest, pk: Id, body: DeploymentIn) -> Any:
    operation = _own(request, pk)
    deployment, hits = services.register_deployment(
        actor=request.user,
        operation=operation,
        details=services.DeploymentDetails(**body.dict()),
    )
    return Status(201, {"id": deployment.pk, "hits": _pointers(request, hits, operation)})


@router.get(
    "/deconfliction/hits",
    response=answers(list[HitOut], 422),
    summary="Your hits, as pointers: the other organisation and whom to call",
)
@paginate(Pagination)
def list_hits(request: HttpRequest) -> Any:
    audit.record(
        AuditAction.LIST,
        actor=request.user,
        object_type="deconfliction.hitside",
        detail={"api": True},
    )
    return _sides(request)


@router.get(
    "/deconfliction/hits/{pk}",
    response=answers(HitOut, 404, 422),
    summary="One of your hits, as a pointer",
)
def get_hit(request: HttpRequest, pk: Id) -> HitSide:
    side: HitSide = visible_one(request.user, _sides(request), pk=pk)
    audit.record(
        AuditAction.VIEW,
        actor=request.user,
        object_type="deconfliction.hitside",
        object_id=str(side.pk),
        object_repr=side.hit.reference,
        detail={"api": True},
    )
    return side


def _desk(request: HttpRequest) -> Any:
    """Every hit, to the watch desk; to anyone else, none."""
    rows = Hit.objects.select_related("a_organisation", "b_organisation", "peer")
    if not policy.may(request.user, policy.Act.KEEP_WATCH, None):
        return rows.none()
    return rows


@router.get(
    "/deconfliction/desk",
    response=answers(list[DeskHitOut], 422),
    summary="The watch desk's queue: every hit, as pointers only (none to anyone else)",
)
@paginate(Pagination)
def desk_queue(request: HttpRequest) -> Any:
    rows = _desk(request)
    audit.record(
        AuditAction.LIST, actor=request.user, object_type="deconfliction.hit", detail={"api": True}
    )
    return rows


def _desk_hit(request: HttpRequest, reference: str) -> Hit:
    try:
        found: Hit = _desk(request).get(reference=reference)
    except Hit.DoesNotExist:
        raise Http404 from None
    return found


@router.post(
    "/deconfliction/desk/{hit}/contact",
    response=answers(DeskHitOut, WRITE, 404, 422),
    summary="Record that the watch desk has contacted one party",
)
def desk_contact(request: HttpRequest, hit: HitRef, body: ContactIn) -> Hit:
    found: Hit = services.record_contact(
        actor=request.user, hit=_desk_hit(request, hit), side=body.side
    )
    return found


@router.post(
    "/deconfliction/desk/{hit}/resolution",
    response=answers(DeskHitOut, WRITE, 404, 422),
    summary="Record how a hit was resolved",
)
def desk_resolve(request: HttpRequest, hit: HitRef, body: ResolveIn) -> Hit:
    found: Hit = services.resolve_hit(
        actor=request.user,
        hit=_desk_hit(request, hit),
        resolution=body.resolution,
        note=body.note,
    )
    return found
