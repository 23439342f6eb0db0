from django.urls import path

from aisms.apps.catalogue import classify_views, views

app_name = "catalogue"
urlpatterns = [
    path("", views.index, name="index"),
    *classify_views.urlpatterns,
    path("controls/", views.controls, name="controls"),
    path("atlas/", views.atlas, name="atlas"),
    path("import-atlas/", views.import_atlas, name="import-atlas"),
    path("browse/<slug:key>/", views.browse, name="browse"),
    path("entry/<str:uid>/", views.entry, name="entry"),
]
