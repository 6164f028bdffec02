from django.urls import path

from concord.web.pickers import views

app_name = "pickers"
urlpatterns = [path("pickers/<slug:name>/", views.choices, name="choices")]
