from django.urls import path

from aisms.apps.accounts import notification_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/tokens/", views.token_list, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("account/notifications/", notification_views.notification_list, name="notifications"),
    path("account/notifications/read/", notification_views.notification_read, name="notification-read"),
    path("users/", views.user_list, name="users"),
    path("users/<int:user_id>/", views.user_edit, name="user-edit"),
]
