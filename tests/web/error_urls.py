"""The real URLconf plus pages that fail on purpose, for tests/web/test_errors.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from concord.config import urls


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not allowed: map")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the service broke")


urlpatterns = [
    path("test-errors/refused/", refuse),
    path("test-errors/bad/", suspicious),
    path("test-errors/broken/", fail),
    *urls.urlpatterns,
]
handler403 = urls.handler403
handler404 = urls.handler404
