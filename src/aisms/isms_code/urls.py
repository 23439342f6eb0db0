from __future__ import annotations

from django.urls import path

from aisms.isms_code import views

app_name = "isms_code"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.<slug:fmt>.zip", views.download, name="download"),
]
