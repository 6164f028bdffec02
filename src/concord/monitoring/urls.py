from django.urls import path

from concord.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("audit/", views.audit_search, name="audit"),
    path("audit/alerts/", views.alert_list, name="alerts"),
    path("audit/alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("audit/declarations/", views.declaration_register, name="declarations"),
    path("declarations/", views.declare, name="declare"),
]
