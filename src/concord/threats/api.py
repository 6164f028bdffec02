"""Register API: OCGs, priority individuals and vulnerabilities, read through the same
policy, reasons and audit as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concord.core import audit
from concord.core.access import open_record
from concord.core.api import Pagination, Reference, answers
from concord.core.models import AuditAction
from concord.threats import search
from concord.threats.filters import OcgFilter, PriorityIndividualFilter, VulnerabilityFilter
from concord.threats.models import Nominal, Ocg, OcgMember, PriorityIndividual, Vulnerability

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


@router.get("/ocgs", response=answers(list[OcgOut], 422), summary="OCGs you may see")
@paginate(Pagination)
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
    response=answers(OcgDetailOut, 404, 422, 428),
    summary="One OCG",
    description="Records outside your own work need a reason in X-Access-Reason (428).",
)
def get_ocg(request: HttpRequest, reference: Reference) -> Ocg:
    ocg = open_record(request, Ocg.objects.select_related("owner"), reference=reference.upper())
    ocg.visible_members = list(  # type: ignore[attr-defined]  # read by OcgDetailOut
        OcgMember.objects.visible_to(request.user).filter(ocg=ocg).select_related("nominal")
    )
    return ocg


class RegisterItemOut(Schema):
    reference: str
    name: str
    status: str
    owner: str
    classification: str
    sensitive: bool
    marking: str
    band: str
    risk_score: Decimal | None
    assessed_on: dt.date | None
    review_due_on: dt.date | None
    ocgs: list[str]

    resolve_owner = staticmethod(OcgOut.resolve_owner)

    @staticmethod
    def resolve_ocgs(obj: PriorityIndividual | Vulnerability) -> list[str]:
        # Only linked OCGs the reader may see, set by the view from the access policy.
        return [o.reference for o in getattr(obj, "visible_ocgs", [])]


class PriorityIndividualOut(RegisterItemOut):
    nominal: str | None
    designated_on: dt.date

    @staticmethod
    def resolve_nominal(obj: PriorityIndividual) -> str | None:
        # The person's reference only where the reader may see the person too.
        return getattr(obj, "visible_nominal", None)


class VulnerabilityOut(RegisterItemOut):
    kind: str
    summary: str
    force_areas: list[str]
    identified_on: dt.date

    resolve_force_areas = staticmethod(OcgDetailOut.resolve_force_areas)


def _with_visible_links(request: HttpRequest, items: list[Any]) -> list[Any]:
    """Attach to each item the linked OCGs (and for a PI the person) the reader may see: a
    fixed number of queries for a page of any size."""
    if not items:
        return items
    model = type(items[0])
    through: Any = model.ocgs.through
    column = f"{model._meta.model_name}_id"
    visible = Ocg.objects.visible_to(request.user)
    links: dict[int, list[Ocg]] = {}
    for row in through.objects.filter(
        **{f"{column}__in": [i.pk for i in items]}, ocg__in=visible
    ).select_related("ocg"):
        links.setdefault(getattr(row, column), []).append(row.ocg)
    people: dict[int, str] = {}
    if model is PriorityIndividual:
        people = dict(
            Nominal.objects.visible_to(request.user)
            .filter(pk__in=[i.nominal_id for i in items])
            .values_list("pk", "reference")
        )
    for item in items:
        item.visible_ocgs = sorted(links.get(item.pk, []), key=lambda o: o.reference)
        if model is PriorityIndividual:
            item.visible_nominal = people.get(item.nominal_id)
    return items


class _LinkedPagination(Pagination):
    """Limit/offset pages whose items get their visible links attached (see above)."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = _with_visible_links(request, list(page["items"]))
        return page


def _list(request: HttpRequest, model: Any, filters: Any) -> Any:
    items = filters.filter(model.objects.visible_to(request.user).select_related("owner"))
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type=f"threats.{model._meta.model_name}",
        detail={"filters": {k: str(v) for k, v in filters.model_dump().items() if v is not None}},
    )
    return items.distinct().order_by("reference")


@router.get(
    "/pis", response=answers(list[PriorityIndividualOut], 422), summary="Priority individuals"
)
@paginate(_LinkedPagination)
def list_pis(request: HttpRequest, filters: Query[PriorityIndividualFilter]) -> object:
    return _list(request, PriorityIndividual, filters)


@router.get(
    "/pis/{reference}",
    response=answers(PriorityIndividualOut, 404, 422, 428),
    summary="One priority individual",
    description="Records outside your own work need a reason in X-Access-Reason (428).",
)
def get_pi(request: HttpRequest, reference: Reference) -> PriorityIndividual:
    pi = open_record(
        request, PriorityIndividual.objects.select_related("owner"), reference=reference.upper()
    )
    return _with_visible_links(request, [pi])[0]  # type: ignore[no-any-return]


@router.get(
    "/vulnerabilities", response=answers(list[VulnerabilityOut], 422), summary="Vulnerabilities"
)
@paginate(_LinkedPagination)
def list_vulnerabilities(request: HttpRequest, filters: Query[VulnerabilityFilter]) -> object:
    return _list(request, Vulnerability, filters).prefetch_related("force_areas")


@router.get(
    "/vulnerabilities/{reference}",
    response=answers(VulnerabilityOut, 404, 422, 428),
    summary="One vulnerability",
    description="Records outside your own work need a reason in X-Access-Reason (428).",
)
def get_vulnerability(request: HttpRequest, reference: Reference) -> Vulnerability:
    vulnerability = open_record(
        request, Vulnerability.objects.select_related("owner"), reference=reference.upper()
    )
    return _with_visible_links(request, [vulnerability])[0]  # type: ignore[no-any-return]


class SearchHitOut(Schema):
    reference: str
    title: str
    url: str
    detail: str


class SearchGroupOut(Schema):
    kind: str
    label: str
    count: int
    results: list[SearchHitOut]


class SearchOut(Schema):
    query: str
    total: int
    groups: list[SearchGroupOut]


class SearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=search.MAX_QUERY, description="What to find.")
    kind: str | None = Field(
        None,
        max_length=20,
        description="Only this kind: ocg, pi, vulnerability, nominal, identifier, report, tasking.",
    )
    # Not `limit`/`offset`: those page a list; search answers groups, each paged by these.
    per_kind: int = Field(20, ge=1, le=100, description="Results of each kind.")
    skip: int = Field(0, ge=0, le=100_000, description="Results of each kind to skip.")


@router.get(
    "/search",
    response=answers(SearchOut, 422),
    summary="Search everything you may see",
    description=(
        "OCGs, priority individuals, vulnerabilities, people, identifiers (in canonical form: "
        "07700 900123 finds +447700900123), intelligence reports and tasking requests, grouped "
        "by kind with counts. Only what you may see is found or counted; audited."
    ),
)
def search_everything(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    terms = search.Terms.of(params.q)
    if params.kind and search.kind(params.kind) is None:
        raise ValidationError(
            {"kind": f"Choose one of: {', '.join(k.code for k in search.kinds())}."}
        )
    groups = search.run(
        request.user, terms, only=params.kind, limit=params.per_kind, offset=params.skip
    )
    audit.record(
        AuditAction.SEARCH,
        actor=request.user,
        object_type="threats",
        detail=search.audit_detail(terms, groups),
    )
    return {
        "query": terms.text,
        "total": sum(g.count for g in groups),
        "groups": [
            {
                "kind": g.kind.code,
                "label": str(g.kind.label),
                "count": g.count,
                "results": [hit.__dict__ for hit in g.hits],
            }
            for g in groups
        ],
    }
