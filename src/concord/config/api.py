"""The one NinjaAPI at /api/v1/: each app contributes a router."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from concord.capabilities.api import router as capabilities_router
from concord.core.access import MIN_REASON, REASON_HEADER, ReasonRequired
from concord.core.api import describe, field_errors, refuse_nul
from concord.deconfliction.api import router as deconfliction_router
from concord.intelligence.api import router as intelligence_router
from concord.meetings.api import router as meetings_router
from concord.organisations.api import router as organisations_router
from concord.organisations.auth import BearerToken, SessionAuth
from concord.ownership.api import router as ownership_router
from concord.plans.api import router as plans_router
from concord.referrals.api import router as referrals_router
from concord.threats.api import router as threats_router


class ConcordAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also says what each error response means."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return describe(super().get_openapi_schema(*args, **kwargs))


api = ConcordAPI(
    title="Concord API",
    version="1",
    description=(
        "Serious and organised crime tasking and coordination. Authenticate with the browser "
        "session (with CSRF) or with `Authorization: Bearer <token>` from `concord issue_token`. "
        "Lists page with `limit` (1 to 1000, default 100) and `offset` (0 to 10,000,000). "
        "Errors: 401 without valid credentials, 404 for what is not there or not yours to "
        "see, 422 for bad input (messages by field), 428 when a record outside your own work "
        "needs a reason in X-Access-Reason."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)
api.add_decorator(refuse_nul)
api.add_router("/", organisations_router)
api.add_router("/", threats_router)
api.add_router("/", ownership_router)
api.add_router("/", plans_router)
api.add_router("/", intelligence_router)
api.add_router("/", meetings_router)
api.add_router("/", capabilities_router)
api.add_router("/", referrals_router)
api.add_router("/", deconfliction_router)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad input: 422 with every message by field (or under "__all__"), nothing changed."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(SchemaValidationError)
def malformed(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    """A request of the wrong shape: 422 with the messages by field, as `invalid` answers, and
    pydantic's own list of problems (with where each was) under "detail"."""
    return api.create_response(
        request, {"errors": field_errors(exc.errors), "detail": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No valid token and no signed-in session, whatever the method: 401, saying how to
    authenticate (RFC 9110 asks every 401 for WWW-Authenticate)."""
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ReasonRequired)
def reason_required(request: HttpRequest, exc: ReasonRequired) -> HttpResponse:
    """A record seen only through a share or a wider role: 428 until a reason is given (here,
    not in the middleware, so that debug mode answers the same)."""
    return api.create_response(
        request,
        {
            "detail": f"This record is outside your own work: give a reason of at least "
            f"{MIN_REASON} characters in the {REASON_HEADER} header."
        },
        status=428,
    )


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """What a person may not do answers as if it were not there (never 403)."""
    return api.create_response(request, {"detail": "Not Found"}, status=404)
