from django.urls import path

from concord.intelligence import views

app_name = "intelligence"
urlpatterns = [
    path("intelligence/", views.report_list, name="reports"),
    path("intelligence/new/", views.report_create, name="report_create"),
    path("intelligence/<str:reference>/", views.report_detail, name="report"),
    path("intelligence/<str:reference>/stix.json", views.report_stix, name="report_stix"),
    path("intelligence/<str:reference>/ftm.json", views.report_ftm, name="report_ftm"),
]
