from django.urls import path

from aisms.apps.compliance import register_views, views

app_name = "compliance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("controls/<str:ref>/", views.control, name="control"),
    path("clauses/<str:ref>/", views.clause, name="clause"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps.csv", views.gaps_csv, name="gaps-csv"),
    path("crosswalk/<str:framework>/", views.crosswalk, name="crosswalk"),
    path("evidence/", register_views.evidence_register, name="evidence-register"),
    path("evidence/new/", register_views.evidence_new, name="evidence-new"),
    path("evidence/<int:pk>/", register_views.evidence_detail, name="evidence"),
    path("evidence/<int:pk>/revisions/<int:number>/file", register_views.evidence_file, name="evidence-file"),
    path("documents/", register_views.documents, name="documents"),
    path("documents/new/", register_views.document_new, name="document-new"),
    path("documents/<int:pk>/", register_views.document_detail, name="document"),
    path("documents/<int:pk>/versions/<int:number>/file", register_views.document_file, name="document-file"),
    path("objectives/", register_views.objectives, name="objectives"),
    path("regulations/", register_views.regulations, name="regulations"),
    path("regulations/add/", register_views.regulation_add, name="regulation-add"),
    path("regulations/<int:pk>/", register_views.regulation_detail, name="regulation"),
]
