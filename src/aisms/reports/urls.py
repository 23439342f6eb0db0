from __future__ import annotations

from django.urls import path

from aisms.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>.<slug:fmt>", views.download, name="download"),
]
