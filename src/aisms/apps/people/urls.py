from django.urls import path

from aisms.apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create_person, name="create"),
    path("import/", views.import_people, name="import"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/edit/", views.edit_person, name="edit"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("roles/", views.roles, name="roles"),
    path("modules/", views.modules, name="modules"),
    path("modules/new/", views.create_module, name="create-module"),
    path("modules/adopt/", views.adopt, name="adopt"),
    path("completions/", views.completions, name="completions"),
    path("completions/import/", views.import_completions, name="import-completions"),
    path("gaps/", views.dashboard, name="gaps"),
    path("managers/", views.managers, name="managers"),
]
