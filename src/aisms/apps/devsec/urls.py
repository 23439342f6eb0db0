from django.urls import path

from aisms.apps.devsec import views

app_name = "devsec"
urlpatterns = [
    path("", views.index, name="index"),
    path("policy/", views.policy, name="policy"),
    path("policy/<int:version>/approve/", views.approve_policy, name="approve-policy"),
    path("repositories/<int:pk>/", views.repository, name="repository"),
    path("repositories/<int:pk>/edit/", views.edit_repository, name="edit-repository"),
    path("scans/<int:pk>/", views.scan, name="scan"),
    path("upload/", views.upload, name="upload"),
    path("findings/<int:pk>/status/", views.finding_status, name="finding-status"),
]
