"""Filters for the prioritised picture (page, API and export share them).

The picture ranks three kinds of record; each filter is written once here with the path it
takes for each kind (a priority individual's criminality is its OCGs')."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import FilterSchema
from pydantic import Field

from concord.core.choices import OrganisationKind
from concord.scoring.choices import OwnerLevel
from concord.threats.choices import OcgStatus

LEVEL_KINDS = {
    OwnerLevel.FORCE: [OrganisationKind.FORCE, OrganisationKind.PARTNER],
    OwnerLevel.REGION: [OrganisationKind.ROCU],
    OwnerLevel.NATIONAL: [OrganisationKind.NATIONAL],
}
# Where each kind keeps its criminality and the force areas it affects.
CRIMINALITY = {
    "ocg": "criminality_types__code",
    "pi": "ocgs__criminality_types__code",
    "vulnerability": "ocgs__criminality_types__code",
}
AREAS = {"ocg": "force_areas", "pi": "ocgs__force_areas", "vulnerability": "force_areas"}


class PictureFilter(FilterSchema):
    kind: Literal["ocg", "pi", "vulnerability"] | None = None
    region: Annotated[str | None, Field(max_length=40)] = None
    force: Annotated[str | None, Field(max_length=12)] = None
    band: Annotated[str | None, Field(max_length=4)] = None
    criminality: Annotated[str | None, Field(max_length=40)] = None
    owner_level: OwnerLevel | None = None
    overdue: bool | None = None
    status: OcgStatus | None = OcgStatus.ACTIVE

    def expression_for(self, kind: str) -> Q:
        """Every filter given, as one Q over the model of `kind`."""
        q = Q()
        if self.region:
            q &= Q(owner__region__code=self.region) | Q(
                **{f"{AREAS[kind]}__region__code": self.region}
            )
        if self.force:
            code = self.force.upper()
            q &= Q(owner__code=code) | Q(**{f"{AREAS[kind]}__code": code})
        if self.band:
            q &= Q(band=self.band.upper())
        if self.criminality:
            q &= Q(**{CRIMINALITY[kind]: self.criminality})
        if self.owner_level:
            q &= Q(owner__kind__in=LEVEL_KINDS[self.owner_level])
        if self.overdue is not None:
            due = Q(review_due_on__lt=timezone.localdate()) | Q(review_due_on__isnull=True)
            q &= due if self.overdue else ~due
        if self.status:
            q &= Q(status=self.status)
        return q

    def filter_for(self, kind: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(self.expression_for(kind))

    def used(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if v is not None}
