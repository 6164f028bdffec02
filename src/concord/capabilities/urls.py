from django.urls import path

from concord.capabilities import gap_views, planning_views, views

app_name = "capabilities"
urlpatterns = [
    path("capabilities/", views.capability_list, name="list"),
    path("capabilities/posts/", views.post_list, name="posts"),
    path("capabilities/funding/", views.stream_list, name="funding"),
    path("capabilities/funding/<int:pk>/", views.stream_detail, name="stream"),
    path("capabilities/import/", views.import_posts, name="import"),
    path("capabilities/allocation/", planning_views.allocation_view, name="allocation"),
    path("capabilities/gaps/", gap_views.gap_list, name="gaps"),
    path("capabilities/gaps/<int:pk>/", gap_views.gap_detail, name="gap"),
    path(
        "capabilities/needs/<str:kind>/<str:reference>/",
        planning_views.record_need,
        name="record_need",
    ),
    path("capabilities/plan/", planning_views.business_plan, name="plan"),
    path("capabilities/plan/<str:code>/", planning_views.business_plan, name="plan_of"),
]
