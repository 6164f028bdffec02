"""Two-factor sign-in (outside demo mode, a person must verify a TOTP code each session), and
the language kept on a signed-in person's profile."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.utils import translation

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


class ProfileLanguageMiddleware:
    """For a signed-in person the language kept on their profile wins over the cookie and the
    browser's Accept-Language (LocaleMiddleware's choice, made before we know who it is); the
    cookie is brought into line, so the sign-in page after signing out speaks it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request carrying a session can be a signed-in person's: no session, no query.
        language = (
            _profile_language(request) if settings.SESSION_COOKIE_NAME in request.COOKIES else ""
        )
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # After signing in (the person is known only now) or a change of choice.
        language = _profile_language(request) or language
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and request.COOKIES.get(cookie) != language and cookie not in response.cookies:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def _profile_language(request: HttpRequest) -> str:
    if getattr(request, "concord_token_auth", False):
        return ""  # a script with a token: the API speaks the default language
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return str(getattr(user, "language", "") or "")
