from django.urls import path

from concord.insight import views

app_name = "insight"
urlpatterns = [
    path("statistics/", views.public_list, name="statistics"),
    path("statistics/<str:slug>/", views.public_release, name="release"),
    path("insight/releases/", views.releases, name="releases"),
]
