from django.urls import path

from concord.ownership import views

app_name = "ownership"
urlpatterns = [
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("ownership/<str:kind>/<str:reference>/", views.ownership, name="ownership"),
    path(
        "ownership/<str:kind>/<str:reference>/transfer/",
        views.transfer_create,
        name="transfer_create",
    ),
]
