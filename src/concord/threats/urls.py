from django.urls import path

from concord.threats import priority_views, views

app_name = "threats"
urlpatterns = [
    path("ocgs/", views.ocg_list, name="ocg_list"),
    path("ocgs/new/", views.ocg_create, name="ocg_create"),
    path("ocgs/<str:reference>/", views.ocg_detail, name="ocg_detail"),
    path("pis/", priority_views.pi_list, name="pi_list"),
    path("pis/new/", priority_views.pi_create, name="pi_create"),
    path("pis/<str:reference>/", priority_views.pi_detail, name="pi_detail"),
    path("vulnerabilities/", priority_views.vulnerability_list, name="vulnerability_list"),
    path("vulnerabilities/new/", priority_views.vulnerability_create, name="vulnerability_create"),
    path(
        "vulnerabilities/<str:reference>/",
        priority_views.vulnerability_detail,
        name="vulnerability_detail",
    ),
    path("search/", views.search, name="search"),
    path("nominals/<str:reference>/", views.nominal_detail, name="nominal_detail"),
]
# Sharing and archiving work the same way for every kind of register item.
for prefix, kind in (("ocgs", "ocg"), ("pis", "pi"), ("vulnerabilities", "vulnerability")):
    urlpatterns += [
        path(f"{prefix}/<str:reference>/share/", views.share, {"kind": kind}, name=f"{kind}_share"),
        path(
            f"{prefix}/<str:reference>/archive/",
            views.archive,
            {"kind": kind},
            name=f"{kind}_archive",
        ),
    ]
