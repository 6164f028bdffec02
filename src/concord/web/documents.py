"""Printed documents (meeting packs, minutes, business plans, a grant's end): one template
rendered for the reader, as a PDF (WeasyPrint, nothing fetched from anywhere) or, with
`?format=print`, as the same HTML in the browser, which screen readers and the accessibility
sweep read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PRINT = "print"
PDF = "pdf"


def is_document(request: HttpRequest) -> bool:
    """Whether the request asks for the printed document (PDF or its print view)."""
    return request.GET.get("format") in (PDF, PRINT)


def document_response(
    request: HttpRequest, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The document for this reader: its print view (`?format=print`) or its PDF download."""
    html = render_to_string(template, context, request)
    if request.GET.get("format") == PRINT:
        return HttpResponse(html)
    from weasyprint import HTML

    response = HttpResponse(
        HTML(string=html, url_fetcher=_no_fetching).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _no_fetching(url: str, **kwargs: Any) -> dict[str, Any]:
    """Closed networks: a document never loads anything from a URL."""
    raise ValueError(f"Not fetched: {url}")
