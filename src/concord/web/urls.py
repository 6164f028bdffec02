from django.urls import include, path

from concord.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("concord.web.pickers.urls")),
]
