"""Authentication: vetting-aware sign-in, and bearer tokens and the browser session for the
API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from concord.core import audit
from concord.core.models import AuditAction
from concord.organisations.models import ApiToken, User, digest_token


def _why_refused(user: User) -> str:
    if not user.is_active:
        return "inactive"
    return "vetting_expired" if user.vetting_expires else "no_vetting"


# Record token use at most this often, so that API calls do not each write a row.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class VettedModelBackend(ModelBackend):
    """Django's password backend, which also drops a session whose person's vetting expired."""

    def user_can_authenticate(self, user: Any) -> bool:
        # Expired vetting is checked in the sign-in form after the password, so that the
        # message about it is only ever shown to the person themself.
        return bool(getattr(user, "is_active", False))

    def get_user(self, user_id: Any) -> User | None:
        user = super().get_user(user_id)
        if user is None or not isinstance(user, User) or not user.may_sign_in():
            return None
        return user


def user_for_token(plaintext: str) -> User | None:
    """The person a usable token belongs to, or None (unknown, revoked, expired, not vetted)."""
    if not plaintext or len(plaintext) > 200:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user", "user__organisation")
        .filter(digest=digest_token(plaintext))
        .first()
    )
    if token is None:
        return None
    if not token.user.may_sign_in():
        audit.record(
            AuditAction.TOKEN_REFUSED,
            actor=token.user,
            detail={"token": token.prefix, "why": _why_refused(token.user)},
        )
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; any failure is one undifferentiated 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            # A token is issued only to a verified session or by an operator: no second factor.
            request.concord_token_auth = True  # type: ignore[attr-defined]
        return user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session, with CSRF checked on writes. Without a signed-in session
    this scheme does not apply at all: a request with neither a valid token nor a session gets
    the API's 401 (with `WWW-Authenticate: Bearer`), whatever its method, never a CSRF 403."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)
