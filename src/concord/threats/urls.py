from django.urls import path

from concord.threats import views

app_name = "threats"
urlpatterns = [
    path("ocgs/", views.ocg_list, name="ocg_list"),
    path("ocgs/new/", views.ocg_create, name="ocg_create"),
    path("ocgs/<str:reference>/", views.ocg_detail, name="ocg_detail"),
    path("ocgs/<str:reference>/share/", views.ocg_share, name="ocg_share"),
    path("search/", views.search, name="search"),
]
