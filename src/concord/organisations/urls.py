from django.contrib.auth import views as auth_views
from django.urls import include, path

from concord.organisations import two_factor, views

app_urls = (
    [
        path("organisations/", views.organisation_list, name="list"),
        path("organisations/<str:code>/", views.organisation_detail, name="detail"),
        path("people/", views.people_list, name="people"),
        path("people/new/", views.person_create, name="person_create"),
        path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
        path("teams/", views.team_list, name="teams"),
        path("profile/", views.profile, name="profile"),
        path("profile/language/", views.profile_language, name="profile_language"),
        path("notifications/", views.notification_list, name="notifications"),
        path("profile/tokens/", views.token_issue, name="token_issue"),
        path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    ],
    "organisations",
)

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("two-factor/enrol/", two_factor.enrol, name="two_factor_enrol"),
    path("two-factor/", two_factor.verify, name="two_factor_verify"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include(app_urls)),
]
