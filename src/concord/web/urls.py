from django.urls import path

from concord.web import views

urlpatterns = [path("", views.home, name="home")]
