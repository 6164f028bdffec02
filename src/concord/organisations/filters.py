"""One filter definition per model, shared by list pages, the API and exports."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.organisations.choices import OrganisationKind

Search = Annotated[str | None, Field(None, max_length=100)]


class OrganisationFilter(FilterSchema):
    """Filter organisations by kind, region code or a search term."""

    kind: OrganisationKind | None = None
    region: Annotated[str | None, FilterLookup("region__code"), Field(max_length=40)] = None
    q: Search = None

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(name__icontains=value)
            | Q(name_cy__icontains=value)
            | Q(code__iexact=value)
            | Q(short_name__icontains=value)
        )


class PersonFilter(FilterSchema):
    """Filter people by role, team or a search term."""

    role: Annotated[str | None, FilterLookup("roles__code"), Field(max_length=40)] = None
    team: Annotated[int | None, FilterLookup("teams__id")] = None
    q: Search = None

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
