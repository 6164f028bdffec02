"""The real URLconf plus pages that fail on purpose, for tests/web/test_errors.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from concord.config import urls


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not allowed: map")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the service broke")


def database_gone(request: HttpRequest) -> HttpResponse:
    """What a view meets when the database restarts under it (the real thing is in
    tests/core/test_faults.py, against a PostgreSQL server that is restarted)."""
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("test-errors/refused/", refuse),
    path("test-errors/bad/", suspicious),
    path("test-errors/broken/", fail),
    path("test-errors/database/", database_gone),
    path("api/test-errors/database/", database_gone),
    path("taxii2/test-errors/database/", database_gone),
    *urls.urlpatterns,
]
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
