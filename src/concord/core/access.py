"""Opening one protected record: 404 unless visible, a reason when outside own work, audited."""

from __future__ import annotations

import time
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db import models
from django.http import Http404, HttpRequest

from concord.core import audit, policy
from concord.core.models import AuditAction

M = TypeVar("M", bound=models.Model)

SESSION_KEY = "concord_access_reasons"
# A reason given for a record covers further views of it in the same session for this long.
REASON_TTL_SECONDS = 8 * 3600
REASON_HEADER = "X-Access-Reason"
MIN_REASON = 10


class ReasonRequired(Exception):  # noqa: N818  # a signal to ask, not an error
    """The record is visible only through a share or a wider role: ask why first."""

    def __init__(self, obj: Any, next_url: str) -> None:
        super().__init__("reason required")
        self.obj = obj
        self.next_url = next_url

    @property
    def ask_url(self) -> str:
        query = urlencode({"record": record_key(self.obj), "next": self.next_url})
        return f"/access-reason/?{query}"


def record_key(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def remembered_reason(request: HttpRequest, obj: Any) -> str:
    reasons = request.session.get(SESSION_KEY, {}) if hasattr(request, "session") else {}
    entry = reasons.get(record_key(obj))
    if entry and entry[1] > time.time():
        return str(entry[0])
    return ""


def remember_reason(request: HttpRequest, obj: Any, reason: str) -> None:
    reasons = dict(request.session.get(SESSION_KEY, {}))
    now = time.time()
    reasons = {k: v for k, v in reasons.items() if v[1] > now}
    reasons[record_key(obj)] = (reason, now + REASON_TTL_SECONDS)
    request.session[SESSION_KEY] = reasons


def visible_one(user: Any, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """The one row of `queryset` that `user` may see and `lookup` names, or Http404."""
    model = queryset.model
    try:
        return queryset.filter(policy.visible_q(model, policy.viewer_for(user))).get(**lookup)
    except model.DoesNotExist:  # type: ignore[attr-defined]  # every concrete model has it
        raise Http404 from None


def open_record(
    request: HttpRequest,
    queryset: models.QuerySet[M],
    *,
    action: str = "view",
    audit_action: AuditAction = AuditAction.VIEW,
    detail: dict[str, Any] | None = None,
    **lookup: Any,
) -> M:
    """The record for this request, or 404; asks a reason if needed; audits the view.

    Raises Http404 when the person may not see it (never 403), ReasonRequired when they may
    but only through a share or a wider role and have not said why.
    """
    user = request.user
    obj = visible_one(user, queryset, **lookup)
    if action != policy.VIEW and not policy.can(user, action, obj):
        raise Http404
    reason = ""
    if policy.needs_reason(user, obj):
        reason = request.headers.get(REASON_HEADER, "").strip() or remembered_reason(request, obj)
        if len(reason) < MIN_REASON:
            raise ReasonRequired(obj, request.get_full_path())
    audit.record(audit_action, actor=user, obj=obj, reason=reason, detail=detail)
    return obj


def open_through(
    request: HttpRequest,
    queryset: models.QuerySet[M],
    *,
    audit_action: AuditAction = AuditAction.VIEW,
    detail: dict[str, Any] | None = None,
    **lookup: Any,
) -> M:
    """A record that shows protected ones (a transfer of an OCG, an action of its plan), or 404:
    visible by its declaration, then a reason asked if the protected record it shows is seen
    only through a share or a wider role, then an audited view of it."""
    from concord.core.restriction import protected_records

    user = request.user
    model = queryset.model
    try:
        obj = visible_one(user, queryset, **lookup)
    except (ValueError, TypeError):  # a malformed lookup value finds nothing either
        raise Http404 from None
    reasons = []
    for record in protected_records(obj):
        if policy.needs_reason(user, record):
            reason = request.headers.get(REASON_HEADER, "").strip() or remembered_reason(
                request, record
            )
            if len(reason) < MIN_REASON:
                raise ReasonRequired(record, request.get_full_path())
            reasons.append(reason)
    audit.record(
        audit_action,
        actor=user,
        object_type=model._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        reason=reasons[0] if reasons else "",
        detail=detail,
    )
    return obj
