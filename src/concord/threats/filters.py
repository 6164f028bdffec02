"""The one filter definition per register list: list page, API and export share it."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.threats.choices import OcgStatus, VulnerabilityKind


class RegisterFilter(FilterSchema):
    """What every register list filters on: a reference (exactly) or a name (in part),
    status, owner and the owner's region."""

    q: Annotated[str | None, Field(max_length=100)] = None
    status: OcgStatus | None = None
    owner: Annotated[str | None, FilterLookup("owner__code"), Field(max_length=12)] = None
    region: Annotated[str | None, FilterLookup("owner__region__code"), Field(max_length=40)] = None

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(reference__iexact=value.strip()) | Q(name__icontains=value.strip())


class OcgFilter(RegisterFilter):
    criminality: Annotated[
        str | None, FilterLookup("criminality_types__code"), Field(max_length=40)
    ] = None
    force_area: Annotated[str | None, FilterLookup("force_areas__code"), Field(max_length=12)] = (
        None
    )


class PriorityIndividualFilter(RegisterFilter):
    ocg: Annotated[str | None, FilterLookup("ocgs__reference__iexact"), Field(max_length=24)] = None


class VulnerabilityFilter(RegisterFilter):
    kind: VulnerabilityKind | None = None
    ocg: Annotated[str | None, FilterLookup("ocgs__reference__iexact"), Field(max_length=24)] = None
    force_area: Annotated[str | None, FilterLookup("force_areas__code"), Field(max_length=12)] = (
        None
    )
