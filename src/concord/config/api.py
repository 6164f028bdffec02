"""The one NinjaAPI at /api/v1/: each app contributes a router."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth

from concord.organisations.api import router as organisations_router
from concord.organisations.auth import BearerToken
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
