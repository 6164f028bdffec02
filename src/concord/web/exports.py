"""CSV and XLSX export of any list: the same rows the page shows, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection (cells starting =, +, -, @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def export_response(
    *, name: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse | StreamingHttpResponse:
    """A download of `rows` as CSV (streamed) or XLSX, named after the list and today's date."""
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    disposition = f'attachment; filename="{filename}"'
    if fmt == "csv":
        writer = csv.writer(_Echo())
        lines = (writer.writerow([_safe(v) for v in row]) for row in _with_header(headers, rows))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = disposition
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=name[:31])
        for row in _with_header(headers, rows):
            sheet.append([_safe(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response_xlsx = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response_xlsx["Content-Disposition"] = disposition
        return response_xlsx
    raise ValueError(f"unknown export format {fmt!r}")


def _with_header(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield [str(h) for h in headers]
    yield from rows
