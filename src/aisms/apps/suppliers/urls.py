from django.urls import path

from aisms.apps.suppliers import portal, views

app_name = "suppliers"
urlpatterns = [
    path("suppliers/", views.index, name="index"),
    path("suppliers/overview/", views.overview, name="overview"),
    path("suppliers/review-policy/", views.review_policy, name="review-policy"),
    path("suppliers/new/", views.create, name="create"),
    path("suppliers/<int:pk>/", views.detail, name="detail"),
    path("suppliers/<int:pk>/edit/", views.edit, name="edit"),
    path("suppliers/<int:pk>/delete/", views.delete, name="delete"),
    path("suppliers/<int:pk>/reviewed/", views.mark_reviewed, name="reviewed"),
    path("suppliers/<int:pk>/send/", views.send, name="send"),
    path("suppliers/<int:pk>/clauses/<slug:key>/", views.set_clause, name="clause"),
    path("suppliers/<int:pk>/<slug:kind>/add/", views.add_child, name="add-child"),
    path("suppliers/<int:pk>/<slug:kind>/<int:child>/delete/", views.delete_child, name="delete-child"),
    path("suppliers/assessments/<int:pk>/", views.assessment, name="assessment"),
    path("suppliers/assessments/<int:pk>/score/", views.score, name="score"),
    path("suppliers/assessments/<int:pk>/findings/", views.add_finding, name="add-finding"),
    path("suppliers/assessments/<int:pk>/reissue/", views.reissue, name="reissue"),
    path("suppliers/assessments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("suppliers/findings/<int:pk>/raise-risk/", views.raise_risk, name="raise-risk"),
    path("suppliers/findings/<int:pk>/status/", views.finding_status, name="finding-status"),
    path("suppliers/evidence/<int:pk>/", views.evidence, name="evidence"),
    path("suppliers/templates/", views.templates, name="templates"),
    path("suppliers/templates/adopt/", views.adopt_starter, name="adopt"),
    path("suppliers/templates/<int:pk>/", views.template, name="template"),
    # The supplier portal: one route; any other URL with a token is 404.
    path("supplier-portal/<str:token>/", portal.portal, name="portal"),
]
