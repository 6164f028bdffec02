"""TAXII 2.1 URLs (mounted at /taxii2/ by config.urls)."""

from django.urls import path, re_path

from concord.intelligence.taxii import views as taxii

app_name = "taxii"
urlpatterns = [
    path("", taxii.discovery, name="discovery"),
    path("api/", taxii.api_root, name="api_root"),
    path("api/collections/", taxii.collections, name="collections"),
    path("api/collections/<str:collection_id>/", taxii.collection, name="collection"),
    path("api/collections/<str:collection_id>/objects/", taxii.objects, name="objects"),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/",
        taxii.get_object,
        name="object",
    ),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        taxii.versions,
        name="versions",
    ),
    path("api/collections/<str:collection_id>/manifest/", taxii.manifest, name="manifest"),
    path("api/status/<str:status_id>/", taxii.status, name="status"),
    # Last: anything else under /taxii2/ (an unknown API root, a missing slash) is a TAXII
    # 404, not Django's page. It also stops APPEND_SLASH redirecting here, which would turn
    # a peer's POST into a GET; the 404 names the URL with its slash instead.
    re_path(r"^.*$", taxii.not_found, name="not_found"),
]
