from django.urls import path

from aisms.apps.posture import views

app_name = "posture"

urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/accept/", views.accept, name="accept"),
    path("proposals/<int:pk>/reject/", views.reject, name="reject"),
    path("emerging/<int:pk>/", views.emerging_detail, name="emerging"),
    path("emerging/<int:pk>/<str:action>/", views.emerging_action, name="emerging-action"),
    path("matches/<int:pk>/dismiss/", views.dismiss_match, name="dismiss-match"),
    path("correlate/", views.correlate, name="correlate"),
]
