"""Filters for intelligence lists (page, API and export share them)."""

from typing import Annotated

from ninja import FilterLookup, FilterSchema
from pydantic import Field

from concord.intelligence.choices import HandlingCode, ReportStatus


class ReportFilter(FilterSchema):
    status: ReportStatus | None = None
    handling_code: HandlingCode | None = None
    # A peer's name: what was received from it by federation.
    origin: Annotated[str | None, FilterLookup("origin__name"), Field(max_length=50)] = None
