from django.urls import path

from concord.ownership import tasking_views, views

app_name = "ownership"
urlpatterns = [
    path("tasking/", tasking_views.tasking_list, name="tasking"),
    path("tasking/new/", tasking_views.tasking_create, name="tasking_create"),
    path("tasking/<str:reference>/", tasking_views.tasking_detail, name="tasking_detail"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("ownership/<str:kind>/<str:reference>/", views.ownership, name="ownership"),
    path(
        "ownership/<str:kind>/<str:reference>/transfer/",
        views.transfer_create,
        name="transfer_create",
    ),
]
