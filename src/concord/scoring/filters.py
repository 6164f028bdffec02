"""Filters for the prioritised picture (page, API and export share them)."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.core.choices import OrganisationKind
from concord.scoring.choices import OwnerLevel
from concord.threats.choices import OcgStatus

LEVEL_KINDS = {
    OwnerLevel.FORCE: [OrganisationKind.FORCE, OrganisationKind.PARTNER],
    OwnerLevel.REGION: [OrganisationKind.ROCU],
    OwnerLevel.NATIONAL: [OrganisationKind.NATIONAL],
}


class PictureFilter(FilterSchema):
    region: Annotated[str | None, Field(max_length=40)] = None
    force: Annotated[str | None, Field(max_length=12)] = None
    band: Annotated[str | None, FilterLookup("band"), Field(max_length=4)] = None
    criminality: Annotated[
        str | None, FilterLookup("criminality_types__code"), Field(max_length=40)
    ] = None
    owner_level: OwnerLevel | None = None
    overdue: bool | None = None
    status: OcgStatus | None = OcgStatus.ACTIVE

    def filter_region(self, value: str | None) -> Q:
        """Items owned in the region, or affecting a force in it."""
        if not value:
            return Q()
        return Q(owner__region__code=value) | Q(force_areas__region__code=value)

    def filter_force(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(owner__code=value.upper()) | Q(force_areas__code=value.upper())

    def filter_owner_level(self, value: OwnerLevel | None) -> Q:
        return Q(owner__kind__in=LEVEL_KINDS[value]) if value else Q()

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        from django.utils import timezone

        due = Q(review_due_on__lt=timezone.localdate()) | Q(review_due_on__isnull=True)
        return due if value else ~due
