from django.urls import path

from concord.scoring import views

app_name = "scoring"
urlpatterns = [
    path("priorities/", views.picture_view, name="picture"),
    path("scoring/models/", views.model_list, name="models"),
    path("ocgs/import/", views.import_upload, name="import"),
    path("ocgs/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("assessments/<str:kind>/<str:reference>/", views.history_view, name="history"),
    path("ocgs/<str:reference>/assess/", views.assess, {"kind": "ocg"}, name="assess"),
    path("pis/<str:reference>/assess/", views.assess, {"kind": "pi"}, name="assess_pi"),
    path(
        "vulnerabilities/<str:reference>/assess/",
        views.assess,
        {"kind": "vulnerability"},
        name="assess_vulnerability",
    ),
]
