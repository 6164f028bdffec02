from django.urls import path

from concord.plans import views

app_name = "plans"
urlpatterns = [
    path("plans/<str:kind>/<str:reference>/", views.plan_view, name="plan"),
    path("actions/", views.my_actions, name="my_actions"),
    path("disruptions/", views.disruption_list, name="disruptions"),
]
