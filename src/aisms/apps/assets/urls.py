from django.urls import path

from aisms.apps.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.inventory, name="list"),
    path("new/", views.create, name="create"),
    path("import/", views.import_file, name="import"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/components/", views.add_component, name="add-component"),
    path("<int:pk>/components/<int:component_id>/remove/", views.remove_component, name="remove-component"),
]
