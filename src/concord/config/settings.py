"""Concord's one settings module, driven by environment variables (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from concord.config.env import Env

# Lets the admin and querysets be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

env = Env()

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env.get_str("CONCORD_HOME", str(SRC_DIR.parent.parent))).resolve()
VAR_DIR = BASE_DIR / "var"

DEBUG = env.get_bool("CONCORD_DEBUG", False)
# Demo mode: synthetic data, a banner on every page, and the demo sign-ins may exist.
DEMO_MODE = env.get_bool("CONCORD_DEMO", False)

_secret = env.get_str("CONCORD_SECRET_KEY", "")
if not _secret:
    if not (DEBUG or DEMO_MODE):
        raise ImproperlyConfigured(
            "Setting CONCORD_SECRET_KEY is required outside demo and debug mode "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    _secret = "concord-insecure-demo-key-never-use-in-production-0123456789"  # noqa: S105
elif len(_secret) < 32:
    raise ImproperlyConfigured("Setting CONCORD_SECRET_KEY must be at least 32 characters long.")
SECRET_KEY = _secret

ALLOWED_HOSTS = env.get_list("CONCORD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CONCORD_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin with an audited default site (every admin save and delete).
    "concord.core.admin_site.ConcordAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API docs' Swagger UI from its own static files rather than a CDN.
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Background work: django-tasks and its database backend (its queue is a table).
    "django_tasks",
    "django_tasks.backends.database",
    "concord.core",
    "concord.web",
    "concord.organisations",
    "concord.threats",
    "concord.scoring",
    "concord.ownership",
    "concord.plans",
    "concord.meetings",
    "concord.capabilities",
    "concord.intelligence",
    "concord.deconfliction",
    "concord.referrals",
    "concord.monitoring",
    "concord.insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "concord.core.middleware.RequestLogMiddleware",
    "concord.core.metrics.MetricsMiddleware",
    "concord.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a signed-in person's profile language wins over LocaleMiddleware's.
    "concord.organisations.middleware.ProfileLanguageMiddleware",
    # Before IdleTimeoutMiddleware, which tells the person why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "concord.core.middleware.IdleTimeoutMiddleware",
    "concord.core.middleware.AuditContextMiddleware",
    "concord.organisations.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "concord.core.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concord.config.urls"
WSGI_APPLICATION = "concord.config.wsgi.application"
ASGI_APPLICATION = "concord.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concord.web.context_processors.shell",
                "concord.organisations.context_processors.notifications",
            ],
        },
    }
]

# var/ holds the embedded database and collected static files; made on first start.
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
VAR_DIR_SQLITE = VAR_DIR / "concord.sqlite3"
DATABASES = {"default": env.get_database("DATABASE_URL", VAR_DIR_SQLITE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and a seeding or task process share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not shared-cache memory: several connections (racing requests, the
    # browser tests' live server) then lock as they do in production.
    DATABASES["default"]["TEST"] = {
        "NAME": env.get_str("CONCORD_TEST_SQLITE_NAME", str(VAR_DIR / "test-concord.sqlite3"))
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("CONCORD_DB_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No just-in-time compilation: Concord's queries are short, and a figure whose estimate
    # crosses jit_above_cost spent 40 ms compiling to save none (docs/operations.md).
    if env.get_bool("CONCORD_DB_NO_JIT", True):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out person is refused before their password is checked.
    "axes.backends.AxesStandaloneBackend",
    "concord.organisations.auth.VettedModelBackend",
]
LOGIN_URL = "login"
LOGIN_URL_PATH = "/sign-in/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Cymraeg"))]
LANGUAGE_COOKIE_NAME = "concord_language"
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
# One date and one date-time format in English and Welsh (concord/config/formats).
FORMAT_MODULE_PATH = ["concord.config.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.get_int("CONCORD_SESSION_HOURS", 10, minimum=1, maximum=24) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
HTTPS = env.get_bool("CONCORD_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env.get_str(
    "CONCORD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.get_str("CONCORD_FROM_EMAIL", "concord@localhost")
EMAIL_HOST = env.get_str("CONCORD_EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("CONCORD_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_USE_TLS = env.get_bool("CONCORD_EMAIL_USE_TLS", False)
# Where links in emails point (no trailing slash).
CONCORD_BASE_URL = env.get_str("CONCORD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A mapped OCG or priority individual with no LRO this many days after mapping is a vacancy.
CONCORD_LRO_VACANCY_DAYS = env.get_int("CONCORD_LRO_VACANCY_DAYS", 14)

LOG_LEVEL = env.get_choice("CONCORD_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOG_FORMAT = env.get_choice("CONCORD_LOG_FORMAT", "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "concord.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our own request log replaces Django's, which would log every request twice.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# API bearer tokens: shown once at issue, stored only as a SHA-256 digest.
API_TOKEN_DAYS = env.get_int("CONCORD_API_TOKEN_DAYS", 90, minimum=1, maximum=730)

# Sign-in hardening. Two-factor (TOTP) is required outside demo mode unless turned off for a
# test rig; lockout after repeated failures (django-axes); sessions end after idle minutes.
REQUIRE_TWO_FACTOR = env.get_bool("CONCORD_REQUIRE_2FA", not DEMO_MODE)
OTP_TOTP_ISSUER = "Concord"
SESSION_IDLE_MINUTES = env.get_int("CONCORD_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=720)
AXES_FAILURE_LIMIT = env.get_int("CONCORD_LOCKOUT_FAILURES", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = env.get_int("CONCORD_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "organisations/locked_out.html"
AXES_VERBOSE = False
TRUSTED_PROXIES = env.get_int("CONCORD_TRUSTED_PROXIES", 0, minimum=0, maximum=5)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES or None

# The audit trail's MAC key must not live in the database it protects. It defaults to one
# derived from the secret key; set it separately in production so it can be held apart.
AUDIT_KEY = env.get_str("CONCORD_AUDIT_KEY", "") or f"audit:{SECRET_KEY}"
AUDIT_SEAL_INTERVAL = env.get_int("CONCORD_AUDIT_SEAL_SECONDS", 1, minimum=0, maximum=3600)

# Federation: this instance's Ed25519 signing key (PEM, made on first use with mode 0600) and
# how peers are spoken to (see docs/operations.md, "Federation").
FEDERATION_KEY_FILE = Path(
    env.get_str("CONCORD_FEDERATION_KEY_FILE", str(VAR_DIR / "federation-ed25519.pem"))
)
FEDERATION_TIMEOUT = env.get_int("CONCORD_FEDERATION_TIMEOUT", 60, minimum=1, maximum=600)
FEDERATION_PAGE_SIZE = env.get_int("CONCORD_FEDERATION_PAGE", 1000, minimum=10, maximum=10000)
# Deconfliction across peers: the secret every instance of one federation shares, from which
# subjects' keyed hashes are made (a file holding it, or the text itself in the environment);
# without it no check leaves or is answered. See docs/operations.md, "Deconfliction across
# instances".
DECONFLICTION_SECRET_FILE = Path(
    env.get_str(
        "CONCORD_DECONFLICTION_SECRET_FILE", str(VAR_DIR / "deconfliction-federation.secret")
    )
)
DECONFLICTION_SECRET = env.get_str("CONCORD_DECONFLICTION_SECRET", "")
# TAXII 2.1: the most objects one page answers, and the largest body accepted.
TAXII_MAX_PAGE = 10000
TAXII_MAX_CONTENT_LENGTH = env.get_int(
    "CONCORD_TAXII_MAX_CONTENT_MB", 50, minimum=1, maximum=1024
) * (1024 * 1024)

# Background work (docs/operations.md, "Workers"): tasks queue in the database and run in
# `concord worker` processes; "immediate" runs each task inline where it is enqueued (tests).
TASK_BACKEND = env.get_choice("CONCORD_TASK_BACKEND", "database", ("database", "immediate"))
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks.backends.database.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}
# A task that fails is tried again until it has been tried this many times, each retry waiting
# longer (the delay times the attempt); then it stays failed, with its error, for operators.
TASK_ATTEMPTS = env.get_int("CONCORD_TASK_ATTEMPTS", 3, minimum=1, maximum=20)
TASK_RETRY_SECONDS = env.get_int("CONCORD_TASK_RETRY_SECONDS", 30, minimum=0, maximum=86400)
# A worker beats every quarter of this; a task held by a worker silent this long is requeued.
TASK_STALE_SECONDS = env.get_int("CONCORD_TASK_STALE_SECONDS", 60, minimum=4, maximum=86400)

# `concord serve` (gunicorn): every setting also has a flag; see docs/operations.md.
SERVE = {
    "bind": env.get_str("CONCORD_BIND", "127.0.0.1:8000"),
    "workers": env.get_int("CONCORD_WORKERS", 2, minimum=1, maximum=64),
    "threads": env.get_int("CONCORD_THREADS", 4, minimum=1, maximum=64),
    "timeout": env.get_int("CONCORD_TIMEOUT", 60, minimum=1, maximum=3600),
    "graceful_timeout": env.get_int("CONCORD_GRACEFUL_TIMEOUT", 30, minimum=1, maximum=3600),
    "max_requests": env.get_int("CONCORD_MAX_REQUESTS", 5000, minimum=0),
    "max_requests_jitter": env.get_int("CONCORD_MAX_REQUESTS_JITTER", 500, minimum=0),
}

# /metrics answers from the loopback address (not through a proxy) or to this bearer token.
METRICS_TOKEN = env.get_str("CONCORD_METRICS_TOKEN", "")
