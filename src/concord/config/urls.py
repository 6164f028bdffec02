"""Top-level URL map."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from concord.config.api import api
from concord.core.views import access_reason, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("taxii2/", include("concord.intelligence.taxii_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("access-reason/", access_reason, name="access_reason"),
    path("", include("concord.monitoring.urls")),
    path("", include("concord.scoring.urls")),
    path("", include("concord.ownership.urls")),
    path("", include("concord.plans.urls")),
    path("", include("concord.meetings.urls")),
    path("", include("concord.capabilities.urls")),
    path("", include("concord.intelligence.urls")),
    path("", include("concord.threats.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("concord.organisations.urls")),
    path("", include("concord.web.urls")),
]
