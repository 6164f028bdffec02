from django.urls import path

from concord.referrals import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.send, name="send"),
    path("referrals/upload/", views.upload, name="upload"),
    path("referrals/figures/", views.figures, name="figures"),
    path("referrals/<int:pk>/", views.detail, name="detail"),
    path("referrals/<int:pk>/assign/", views.assign, name="assign"),
    path("referrals/<int:pk>/decide/", views.decide, name="decide"),
]
