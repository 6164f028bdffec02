"""Register API: OCGs through the same policy, reasons and audit as the pages."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from concord.core import audit
from concord.core.access import open_record
from concord.core.models import AuditAction
from concord.threats.filters import OcgFilter
from concord.threats.models import Nominal, Ocg, OcgMember

router = Router(tags=["register"])


class OcgOut(Schema):
    reference: str
    name: str
    status: str
    owner: str
    classification: str
    sensitive: bool
    marking: str
    criminality: list[str]
    mapped_on: dt.date

    @staticmethod
    def resolve_owner(obj: Ocg) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_criminality(obj: Ocg) -> list[str]:
        return [c.code for c in obj.criminality_types.all()]


class MemberOut(Schema):
    reference: str
    name: str
    role: str
    date_of_birth: dt.date | None


class OcgDetailOut(Schema):
    reference: str
    name: str
    status: str
    owner: str
    classification: str
    sensitive: bool
    marking: str
    criminality: list[str]
    mapped_on: dt.date
    summary: str
    handling_instructions: str
    force_areas: list[str]
    members: list[MemberOut]

    resolve_owner = staticmethod(OcgOut.resolve_owner)
    resolve_criminality = staticmethod(OcgOut.resolve_criminality)

    @staticmethod
    def resolve_force_areas(obj: Ocg) -> list[str]:
        return [f.code for f in obj.force_areas.all()]

    @staticmethod
    def resolve_members(obj: Ocg) -> list[dict[str, object]]:
        # Only members the reader may see, set by the view from the access policy.
        members: list[OcgMember] = getattr(obj, "visible_members", [])
        return [
            {
                "reference": m.nominal.reference,
                "name": m.nominal.full_name,
                "role": m.role,
                "date_of_birth": m.nominal.date_of_birth,
            }
            for m in members
        ]


@router.get("/ocgs", response=list[OcgOut], summary="OCGs you may see")
@paginate(LimitOffsetPagination)
def list_ocgs(request: HttpRequest, filters: Query[OcgFilter]) -> object:
    ocgs = filters.filter(
        Ocg.objects.visible_to(request.user)
        .select_related("owner")
        .prefetch_related("criminality_types")
    ).distinct()
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="threats.ocg",
        detail={"filters": {k: str(v) for k, v in filters.model_dump().items() if v is not None}},
    )
    return ocgs


@router.get(
    "/ocgs/{reference}",
    response=OcgDetailOut,
    summary="One OCG",
    description="Records outside your own work need a reason in X-Access-Reason (428).",
)
def get_ocg(request: HttpRequest, reference: str) -> Ocg:
    ocg = open_record(request, Ocg.objects.select_related("owner"), reference=reference.upper())
    ocg.visible_members = list(  # type: ignore[attr-defined]  # read by OcgDetailOut
        OcgMember.objects.filter(
            ocg=ocg, nominal__in=Nominal.objects.visible_to(request.user)
        ).select_related("nominal")
    )
    return ocg
