"""The one NinjaAPI at /api/v1/: each app contributes a router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import SessionAuth

from concord.intelligence.api import router as intelligence_router
from concord.organisations.api import router as organisations_router
from concord.organisations.auth import BearerToken
from concord.ownership.api import router as ownership_router
from concord.plans.api import router as plans_router
from concord.threats.api import router as threats_router

api = NinjaAPI(
    title="Concord API",
    version="1",
    description=(
        "Serious and organised crime tasking and coordination. Authenticate with the browser "
        "session (with CSRF) or with `Authorization: Bearer <token>` from `concord issue_token`."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", organisations_router)
api.add_router("/", threats_router)
api.add_router("/", ownership_router)
api.add_router("/", plans_router)
api.add_router("/", intelligence_router)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input: 422 with every message by field (or under "__all__"), nothing changed."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """What a person may not do answers as if it were not there (never 403)."""
    return api.create_response(request, {"detail": "Not Found"}, status=404)
