from django.urls import include, path

from concord.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("", include("concord.web.pickers.urls")),
]
