"""API endpoints: organisations, regions and the signed-in person."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate

from concord.core.api import Pagination, answers
from concord.organisations.filters import OrganisationFilter
from concord.organisations.models import Organisation, Region, User

router = Router(tags=["organisations"])


class RegionOut(Schema):
    code: str
    name: str
    name_cy: str


class OrganisationOut(Schema):
    code: str
    name: str
    name_cy: str
    short_name: str
    kind: str
    partner_type: str
    region: str | None
    lead_force: str | None
    is_active: bool

    @staticmethod
    def resolve_region(obj: Organisation) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_lead_force(obj: Organisation) -> str | None:
        return obj.lead_force.code if obj.lead_force else None


class OrganisationRef(Schema):
    code: str
    name: str
    kind: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    job_title: str
    organisation: OrganisationRef
    acting_organisation: OrganisationRef
    roles: list[str]
    teams: list[str]
    vetting_level: str
    vetting_expires: dt.date | None


@router.get("/regions", response=answers(list[RegionOut]), summary="List the regions")
def list_regions(request: HttpRequest) -> object:
    return Region.objects.all()


@router.get(
    "/organisations", response=answers(list[OrganisationOut], 422), summary="List organisations"
)
@paginate(Pagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> object:
    return filters.filter(Organisation.objects.select_related("region", "lead_force"))


@router.get(
    "/organisations/{code}", response=answers(OrganisationOut, 404, 422), summary="One organisation"
)
def get_organisation(
    request: HttpRequest, code: Annotated[str, Path(max_length=12)]
) -> Organisation:
    return get_object_or_404(
        Organisation.objects.select_related("region", "lead_force"), code=code.upper()
    )


@router.get("/me", response=answers(MeOut), summary="The signed-in person")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    assert isinstance(user, User)
    acting = user.acting_organisation()
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "job_title": user.job_title,
        "organisation": user.organisation,
        "acting_organisation": acting,
        "roles": sorted(user.role_codes),
        "teams": list(user.teams.values_list("name", flat=True)),
        "vetting_level": user.vetting_level,
        "vetting_expires": user.vetting_expires,
    }
