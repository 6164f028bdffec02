"""The one filter definition for OCGs: list page, API and export."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.threats.choices import OcgStatus


class OcgFilter(FilterSchema):
    q: Annotated[str | None, Field(max_length=100)] = None
    status: OcgStatus | None = None
    criminality: Annotated[
        str | None, FilterLookup("criminality_types__code"), Field(max_length=40)
    ] = None
    owner: Annotated[str | None, FilterLookup("owner__code"), Field(max_length=12)] = None
    region: Annotated[str | None, FilterLookup("owner__region__code"), Field(max_length=40)] = None
    force_area: Annotated[str | None, FilterLookup("force_areas__code"), Field(max_length=12)] = (
        None
    )

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(reference__iexact=value.strip()) | Q(name__icontains=value.strip())
