"""Sign-in, sign-out and refused sign-ins go into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from concord.core import audit
from concord.core.models import AuditAction
from concord.organisations.models import User


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(AuditAction.SIGN_IN, actor=user)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.SIGN_OUT, actor=user)


@receiver(user_login_failed)
def audit_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Whoever typed is unknown: the account tried is the object, not the actor.
    username = str(credentials.get("username", ""))[:150]
    person = User.objects.filter(username=username).first()
    audit.record(
        AuditAction.SIGN_IN_FAILED,
        obj=person,
        object_type="organisations.user",
        object_repr=username,
        detail={"username": username, "why": "credentials"},
    )
