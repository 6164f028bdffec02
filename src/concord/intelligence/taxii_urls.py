"""TAXII 2.1 URLs (mounted at /taxii2/ by config.urls)."""

from django.urls import path

from concord.intelligence import taxii

app_name = "taxii"
urlpatterns = [
    path("", taxii.discovery, name="discovery"),
    path("api/", taxii.api_root, name="api_root"),
    path("api/collections/", taxii.collections, name="collections"),
    path("api/collections/<str:collection_id>/", taxii.collection, name="collection"),
    path("api/collections/<str:collection_id>/objects/", taxii.objects, name="objects"),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/",
        taxii.object_versions,
        name="object",
    ),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        taxii.object_versions,
        name="versions",
    ),
    path("api/collections/<str:collection_id>/manifest/", taxii.manifest, name="manifest"),
    path("api/status/<str:status_id>/", taxii.status, name="status"),
]
