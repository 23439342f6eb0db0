from django.urls import path

from aisms.apps.people import edit_views, views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create_person, name="create"),
    path("import/", views.import_people, name="import"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/edit/", views.edit_person, name="edit"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/competences/new/", edit_views.record_competence, name="record-competence"),
    path("competence-records/<int:pk>/remove/", edit_views.remove_competence_record, name="remove-record"),
    path("competences/<int:pk>/edit/", edit_views.edit_competence, name="edit-competence"),
    path("requirements/<int:pk>/drop/", edit_views.drop_requirement, name="drop-requirement"),
    path("modules/<int:pk>/edit/", edit_views.edit_module, name="edit-module"),
    path("roles/", views.roles, name="roles"),
    path("modules/", views.modules, name="modules"),
    path("modules/new/", views.create_module, name="create-module"),
    path("modules/adopt/", views.adopt, name="adopt"),
    path("completions/", views.completions, name="completions"),
    path("completions/import/", views.import_completions, name="import-completions"),
    path("gaps/", views.dashboard, name="gaps"),
    path("managers/", views.managers, name="managers"),
]
