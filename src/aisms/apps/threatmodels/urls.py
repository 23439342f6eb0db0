from django.urls import path

from aisms.apps.threatmodels import views, views_assistant, views_exports, views_rules

app_name = "threatmodels"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("draft/", views_assistant.draft, name="draft"),
    path("rules/", views_rules.rules, name="rules"),
    path("rules/<int:pk>/", views_rules.rule_set_action, name="rule-set"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/details/", views.update_details, name="details"),
    path("<int:pk>/threats/", views.threats, name="threats"),
    path("<int:pk>/threats/<str:threat_id>/decide/", views.decide, name="decide"),
    path("<int:pk>/threats/<str:threat_id>/push/", views.push, name="push"),
    path("<int:pk>/edit/", views.edit_source, name="edit"),
    path("<int:pk>/structure/", views.structure, name="structure"),
    path("<int:pk>/reanalyse/", views.reanalyse, name="reanalyse"),
    path("<int:pk>/diff/", views_exports.diff, name="diff"),
    path("<int:pk>/report/", views_exports.report, name="report"),
    path("<int:pk>/report.pdf", views_exports.report_pdf, name="report-pdf"),
    path("<int:pk>/diagram.svg", views_exports.diagram_svg, name="diagram"),
    path("<int:pk>/download.<str:fmt>", views_exports.download, name="download"),
    path("<int:pk>/assistant/", views_assistant.propose, name="assistant"),
]
