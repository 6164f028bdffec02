from django.urls import path

from concord.capabilities import planning_views, views

app_name = "capabilities"
urlpatterns = [
    path("capabilities/", views.capability_list, name="list"),
    path("capabilities/posts/", views.post_list, name="posts"),
    path("capabilities/funding/", views.stream_list, name="funding"),
    path("capabilities/funding/<int:pk>/", views.stream_detail, name="stream"),
    path("capabilities/import/", views.import_posts, name="import"),
    path("capabilities/allocation/", planning_views.allocation_view, name="allocation"),
    path(
        "capabilities/needs/<str:kind>/<str:reference>/",
        planning_views.record_need,
        name="record_need",
    ),
    path("capabilities/plan/", planning_views.business_plan, name="plan"),
    path("capabilities/plan/<str:code>/", planning_views.business_plan, name="plan_of"),
]
