"""Error pages: the service's look, in the reader's language, with a way back.

A refusal (PermissionDenied) reads as "Page not found", as the access policy requires: a page
never tells a person that something they may not see exists. 400 and 500 keep Django's own
handlers, rendering `400.html` and `500.html`, which need no request, database or context
processors; a refused form (CSRF) renders `403_csrf.html` the same way.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def _back_url(request: HttpRequest) -> str:
    """The page the person came from, when it is on this site (else the home page)."""
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: "Page not found", in the base layout, with a way back."""
    template = loader.get_template("404.html")
    # The language switch goes home, not back to the missing URL: a page that is not there
    # never echoes what was asked for (a reference in the path would say it exists).
    return HttpResponseNotFound(
        template.render({"back_url": _back_url(request), "language_next": "/"}, request)
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A refusal answers exactly as a missing page does (404, "Page not found")."""
    return page_not_found(request, exception)
