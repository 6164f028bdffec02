from django.urls import path

from concord.plans import lro_views, views

app_name = "plans"
urlpatterns = [
    path("plans/mentoring/", lro_views.pairing_list, name="mentoring"),
    path("plans/workload/", lro_views.workload_view, name="workload"),
    path("plans/guidance/", lro_views.guidance_list, name="guidance"),
    path("plans/guidance/new/", lro_views.guidance_edit, name="guidance_new"),
    path("plans/guidance/<int:pk>/", lro_views.guidance_edit, name="guidance_edit"),
    path("plans/<str:kind>/<str:reference>/", views.plan_view, name="plan"),
    path("actions/", views.my_actions, name="my_actions"),
    path("disruptions/", views.disruption_list, name="disruptions"),
]
