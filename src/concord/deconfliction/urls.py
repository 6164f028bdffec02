from django.urls import path

from concord.deconfliction import views

app_name = "deconfliction"
urlpatterns = [
    path("deconfliction/", views.operation_list, name="list"),
    path("deconfliction/new/", views.operation_new, name="new"),
    path("deconfliction/map/", views.deployment_map, name="map"),
    path("deconfliction/hits/", views.hit_list, name="hits"),
    path("deconfliction/hits/<int:pk>/", views.hit_detail, name="hit"),
    path("deconfliction/desk/", views.desk, name="desk"),
    path("deconfliction/desk/<str:reference>/", views.desk_hit, name="desk_hit"),
    path("deconfliction/<int:pk>/", views.operation_detail, name="operation"),
    path("deconfliction/<int:pk>/subjects/", views.add_subject, name="add_subject"),
    path("deconfliction/<int:pk>/deployments/", views.add_deployment, name="add_deployment"),
]
