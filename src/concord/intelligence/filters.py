"""Filters for intelligence lists (page, API and export share them)."""

from ninja import FilterSchema

from concord.intelligence.choices import HandlingCode, ReportStatus


class ReportFilter(FilterSchema):
    status: ReportStatus | None = None
    handling_code: HandlingCode | None = None
