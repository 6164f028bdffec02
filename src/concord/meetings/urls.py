from django.urls import path

from concord.meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.forum_list, name="forums"),
    path("meetings/forums/<int:pk>/", views.forum_detail, name="forum"),
    path("meetings/<int:pk>/", views.meeting_view, name="meeting"),
    path("meetings/actions/<int:pk>/", views.action_detail, name="action"),
    path("meetings/<int:pk>/items/<int:item_pk>/action/", views.item_action, name="item_action"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/pack/", views.pack, name="pack"),
    path("meetings/<int:pk>/invite.ics", views.invitation, name="invitation"),
]
