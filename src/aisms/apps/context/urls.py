from django.urls import path

from aisms.apps.context import views

app_name = "context"
urlpatterns = [
    path("organisation/", views.organisation, name="organisation"),
    path("context/", views.index, name="index"),
    path("context/pestel/templates/", views.templates, name="templates"),
    path("context/pestel/new/", views.issue_form, name="issue-new"),
    path("context/pestel/<int:issue_id>/", views.issue, name="issue"),
    path("context/pestel/<int:issue_id>/edit/", views.issue_form, name="issue-edit"),
    path("context/pestel/<int:issue_id>/review/", views.issue_review, name="issue-review"),
    path("context/parties/", views.parties, name="parties"),
    path("context/parties/new/", views.party_form, name="party-new"),
    path("context/parties/<int:party_id>/", views.party, name="party"),
    path("context/parties/<int:party_id>/edit/", views.party_form, name="party-edit"),
    path(
        "context/parties/<int:party_id>/requirements/<int:requirement_id>/delete/",
        views.delete_requirement,
        name="requirement-delete",
    ),
    path("context/scope/", views.scope, name="scope"),
    path("context/scope/approve/", views.scope_approve, name="scope-approve"),
    path("context/scope/compare/", views.scope_compare, name="scope-compare"),
    path("context/scope/v<int:version>/", views.scope_version, name="scope-version"),
]
