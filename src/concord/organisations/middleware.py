"""Two-factor sign-in: outside demo mode, a person must verify a TOTP code each session."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect

# Pages a signed-in but not yet verified person may reach.
OPEN_PATHS = ("/sign-out/", "/two-factor/", "/i18n/", "/healthz", "/static/")


class TwoFactorMiddleware:
    """Sends a session that has not passed two-factor to enrolment or verification."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_TWO_FACTOR
            and user is not None
            and user.is_authenticated
            and not getattr(request, "concord_token_auth", False)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification required"}, status=401)
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "two_factor_verify" if has_device else "two_factor_enrol"
            # Encoded, so that the page's own query string comes back whole after the code.
            query = QueryDict(mutable=True)
            query["next"] = request.get_full_path()
            return redirect(f"{redirect(target).url}?{query.urlencode(safe='/')}")
        return self.get_response(request)
