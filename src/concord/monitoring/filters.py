"""Filters for the audit search and alerts, shared by pages and exports."""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.core.models import AuditAction
from concord.monitoring.choices import AlertKind, AlertStatus


class AuditFilter(FilterSchema):
    """Search the audit trail by person, organisation, record, action and time."""

    person: Annotated[str | None, FilterLookup("actor_username__iexact"), Field(max_length=150)] = (
        None
    )
    organisation: Annotated[str | None, Field(max_length=12)] = None
    record_type: Annotated[str | None, FilterLookup("object_type"), Field(max_length=60)] = None
    record_id: Annotated[str | None, FilterLookup("object_id"), Field(max_length=40)] = None
    action: AuditAction | None = None
    since: Annotated[dt.date | None, FilterLookup("at__date__gte")] = None
    until: Annotated[dt.date | None, FilterLookup("at__date__lte")] = None

    def filter_organisation(self, value: str | None) -> Q:
        if not value:
            return Q()
        code = value.upper()
        return Q(organisation_code=code) | Q(owner_code=code)


class AlertFilter(FilterSchema):
    kind: AlertKind | None = None
    status: AlertStatus | None = None
    person: Annotated[
        str | None, FilterLookup("person__username__iexact"), Field(max_length=150)
    ] = None
