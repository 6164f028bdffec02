"""Top-level URL map."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from concord.config.api import api
from concord.core.views import access_reason, healthz, metrics, readyz, task_progress
from concord.deconfliction import peer_views as deconfliction_peer
from concord.organisations.views import set_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("tasks/<str:task_id>/progress", task_progress, name="task_progress"),
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("concord/favicon.ico"), permanent=True),
        name="favicon",
    ),
    path("api/v1/", api.urls),
    # A peer instance's deconfliction check, under the TAXII API root its peers already reach.
    path(
        "taxii2/api/deconfliction/check/",
        deconfliction_peer.check,
        name="deconfliction_peer_check",
    ),
    path("taxii2/", include("concord.intelligence.taxii_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("access-reason/", access_reason, name="access_reason"),
    path("", include("concord.monitoring.urls")),
    path("", include("concord.insight.urls")),
    path("", include("concord.scoring.urls")),
    path("", include("concord.ownership.urls")),
    path("", include("concord.plans.urls")),
    path("", include("concord.meetings.urls")),
    path("", include("concord.capabilities.urls")),
    path("", include("concord.referrals.urls")),
    path("", include("concord.deconfliction.urls")),
    path("", include("concord.intelligence.urls")),
    path("", include("concord.threats.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("concord.organisations.urls")),
    path("", include("concord.web.urls")),
]

# Error pages in the service's look and the reader's language (concord.web.errors).
handler403 = "concord.web.errors.permission_denied"
handler404 = "concord.web.errors.page_not_found"
# A lost database answers 503 "Service unavailable" with Retry-After; anything else 500.
handler500 = "concord.web.errors.server_error"
