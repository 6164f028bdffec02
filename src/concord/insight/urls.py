from django.urls import path

from concord.insight import oversight_views, views

app_name = "insight"
urlpatterns = [
    path("statistics/", views.public_list, name="statistics"),
    path("statistics/<str:slug>/", views.public_release, name="release"),
    path("insight/releases/", views.releases, name="releases"),
    path("insight/effectiveness/", oversight_views.effectiveness_view, name="effectiveness"),
    path("insight/consistency/", oversight_views.consistency_view, name="consistency"),
    path("insight/oversight/", oversight_views.oversight_choose, name="oversight"),
    path(
        "insight/oversight/<str:code>/<str:slug>/",
        oversight_views.oversight_pack,
        name="oversight_pack",
    ),
    path("insight/practice/", oversight_views.practice_list, name="practices"),
    path("insight/practice/<slug:slug>/", oversight_views.practice_detail, name="practice"),
]
