"""Operational endpoints."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from concord.core import audit, policy
from concord.core.access import remember_reason
from concord.core.models import AuditAction

logger = logging.getLogger(__name__)

# A record's id in /access-reason/?record=app.model:id: ASCII digits, within a 64-bit key.
RECORD_ID = re.compile(r"[0-9]{1,19}")
MAX_RECORD_ID = 2**63 - 1


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 while this process answers, whether or not the database does, which the
    body says. A web process cannot mend its database, so a probe must not restart it while
    the database restarts; /readyz (503 then) takes it out of rotation instead."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("health check: database unreachable: %s", str(error).strip()[:300])
        return JsonResponse({"status": "ok", "database": "unreachable"})
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this instance can serve: the database answers, every migration is applied
    and the task queue is reachable; 503 naming what is not (for a load balancer's rotation)."""
    from django.db.migrations.executor import MigrationExecutor

    checks: dict[str, str] = {}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except DatabaseError:
        logger.exception("readiness: database unreachable")
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
    checks["tasks"] = _task_backend_check()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )


def _task_backend_check() -> str:
    from django.conf import settings

    if settings.TASK_BACKEND != "database":
        return "ok"
    from django_tasks.backends.database.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(pk__isnull=True).exists()
    except DatabaseError:
        logger.exception("readiness: task queue unreachable")
        return "unreachable"
    return "ok"


def _metrics_allowed(request: HttpRequest) -> bool:
    """From the loopback address directly (not forwarded by a proxy), or with the token."""
    import hmac

    from django.conf import settings

    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    forwarded = any(h in request.headers for h in ("X-Forwarded-For", "X-Real-IP", "Forwarded"))
    try:
        loopback = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        loopback = False
    return loopback and not forwarded


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics in the text format; 404 unless `_metrics_allowed`."""
    if not _metrics_allowed(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST

    from concord.core.metrics import scrape

    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)


@never_cache
@login_required
@require_GET
def task_progress(request: HttpRequest, task_id: str) -> HttpResponse:
    """The progress bar of a task the person started (polled by the page that started it);
    404 for anyone else's."""
    from concord.core import tasks

    progress = tasks.progress_for(request.user, task_id)
    if progress is None:
        raise Http404
    # "Show the result" leads back to the page that polls (its path, on this site only).
    back = urlsplit(request.headers.get("HX-Current-URL", "")).path
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = "/"
    # 286 is htmx's "stop polling": the region keeps the final state and asks no more.
    return render(
        request,
        "core/_task_progress_now.html",
        {"progress": progress, "back": back},
        status=286 if progress.finished else 200,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this record?"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "It is outside your own organisation's or team's work. Your reason is "
            "recorded with every view and can be seen by counter-corruption auditors."
        ),
        error_messages={
            "min_length": _("Give a reason of at least 10 characters."),
            "required": _("Give a reason to open this record."),
        },
    )


def _protected_record(key: str, user: Any) -> Any:
    """The record named by 'app.model:id' if `user` may see it, else 404: for a key of any
    other shape, an unknown model, a model that is not a protected record, an id that is not a
    whole number within a 64-bit key, or a record they may not see (so nothing is told)."""
    from django.apps import apps

    from concord.core.models import ProtectedRecord

    label, colon, pk = key.rpartition(":")
    if not colon or not RECORD_ID.fullmatch(pk) or int(pk) > MAX_RECORD_ID:
        raise Http404
    try:
        model = apps.get_model(label)
    except (ValueError, LookupError):
        raise Http404 from None
    if not issubclass(model, ProtectedRecord):
        raise Http404
    return get_object_or_404(model.objects.visible_to(user), pk=int(pk))


@login_required
def access_reason(request: HttpRequest) -> HttpResponse:
    """Ask, record and remember the reason for opening a record outside one's own work."""
    key = request.GET.get("record", "")
    obj = _protected_record(key, request.user)
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"].strip()
        remember_reason(request, obj, reason)
        audit.record(AuditAction.REASON, actor=request.user, obj=obj, reason=reason)
        return redirect(next_url)
    return render(
        request,
        "core/access_reason.html",
        {
            "form": form,
            "record": obj,
            "basis": policy.basis(request.user, obj),
            "next": next_url,
        },
    )
