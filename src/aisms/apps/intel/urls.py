from django.urls import path

from aisms.apps.intel import views

app_name = "intel"
urlpatterns = [
    path("", views.index, name="index"),
    path("sources/new/", views.create_source, name="create-source"),
    path("sources/<int:pk>/", views.source, name="source"),
    path("sources/<int:pk>/edit/", views.edit_source, name="edit-source"),
    path("sources/<int:pk>/delete/", views.delete_source, name="delete-source"),
    path("sources/<int:pk>/pull/", views.pull_source, name="pull"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/classify/", views.classify, name="classify"),
    path("items/<int:pk>/classify/feedback/", views.classify_feedback, name="classify-feedback"),
    path("ingest/", views.ingest, name="ingest"),
]
