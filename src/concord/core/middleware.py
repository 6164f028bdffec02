"""Request logging: one structured line per request, with a request id for correlation."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("concord.request")


class RequestLogMiddleware:
    """Logs method, path, status, duration and user of every request as one JSON line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request_id = request_id or uuid.uuid4().hex
        request.META["CONCORD_REQUEST_ID"] = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "remote_addr": request.META.get("REMOTE_ADDR"),
            },
        )
        return response


class RefuseNulMiddleware:
    """A page address or form value holding a NUL character is refused (400) before anything
    reads it: PostgreSQL can store no NUL in text, so it would otherwise fail deep inside a
    lookup. The API (422 naming the field) and TAXII (a TAXII 400) answer it themselves."""

    OWN_ANSWER = ("/api/", "/taxii2/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.OWN_ANSWER) and self._holds_nul(request):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(
                _("The address or a form field holds a NUL character, which Concord refuses."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.POST.lists()
            )
        return False


class AuditContextMiddleware:
    """Sets who and where for the audit trail, and audits signed-in requests for missing things.

    Repeated 404s are how probing for records one may not see shows up (monitoring alerts).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        from concord.core import audit, context
        from concord.core.models import AuditAction

        source = "api" if request.path.startswith(("/api/", "/taxii2/")) else "web"
        with context.acting(
            source=source,
            ip=context.client_ip(request.META, settings.TRUSTED_PROXIES),
            user_agent=request.headers.get("User-Agent", "")[:300],
            request_id=request.META.get("CONCORD_REQUEST_ID", ""),
        ):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            if (
                response.status_code == 404
                and user is not None
                and user.is_authenticated
                and not request.path.startswith(settings.STATIC_URL)
            ):
                audit.record(
                    AuditAction.NOT_FOUND,
                    actor=user,
                    # A NUL cannot be stored in PostgreSQL JSON: the path is kept without it.
                    detail={
                        "path": request.path.replace("\x00", "")[:300],
                        "method": request.method,
                    },
                )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A record that needs a reason: the page asks for one; the API says how to give it."""
        from django.http import JsonResponse
        from django.shortcuts import redirect

        from concord.core.access import REASON_HEADER, ReasonRequired

        if not isinstance(exception, ReasonRequired):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": f"This record is outside your own work: give a reason "
                    f"of at least 10 characters in the {REASON_HEADER} "
                    "header."
                },
                status=428,
            )
        return redirect(exception.ask_url)


class IdleTimeoutMiddleware:
    """Signs a person out after CONCORD_SESSION_IDLE_MINUTES without a request."""

    KEY = "concord_last_seen"
    # Write the session at most once a minute, not on every request.
    RESOLUTION = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.KEY)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if isinstance(last, int) and now - last > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)s minutes without "
                        "activity. Sign in again to continue."
                    )
                    % {"minutes": settings.SESSION_IDLE_MINUTES},
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if not isinstance(last, int) or now - last >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)


# No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content Security Policy and related headers on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages about people and crime must not sit in shared caches or the back button.
            response.setdefault("Cache-Control", "no-store")
        return response
