"""Error pages: the service's look, in the reader's language, with a way back.

A refusal (PermissionDenied) reads as "Page not found", as the access policy requires: a page
never tells a person that something they may not see exists. 400 keeps Django's own handler,
rendering `400.html`, which needs no request, database or context processors; a refused form
(CSRF) renders `403_csrf.html` the same way, and so does `server_error` (500).

A request that fails because the database cannot be reached (it is restarting, down, or its
disk is full: Django's OperationalError or InterfaceError) is not a fault of the service's
code: `server_error` answers it 503 "Service unavailable" with Retry-After, in the reader's
language, as a page, as JSON under /api/ or as a TAXII error under /taxii2/, never with a
traceback. Django has logged the error with its traceback before the handler runs.
"""

from __future__ import annotations

import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# Seconds a client is asked to wait before trying again while the database is unavailable.
RETRY_AFTER = 30
TAXII = "application/taxii+json;version=2.1"


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


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached or cannot write (not a bug of ours)."""
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 "Sorry, there is a problem with the service" (`500.html`), or 503 "Service
    unavailable" when the exception being handled is the database's (see the module)."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({}))


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the form the caller reads: needs no database."""
    title = _("Service unavailable")
    detail = _("The service cannot use its database just now. Try again in a minute.")
    if request.path.startswith("/api/"):
        response = HttpResponse(
            json.dumps({"detail": detail}), status=503, content_type="application/json"
        )
    elif request.path.startswith("/taxii2/"):
        body = {"title": title, "description": detail, "http_status": "503"}
        response = HttpResponse(json.dumps(body), status=503, content_type=TAXII)
    else:
        page = loader.get_template("503.html").render({"back_url": _back_url(request)})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
