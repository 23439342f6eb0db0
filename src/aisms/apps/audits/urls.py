from django.urls import path

from aisms.apps.audits import views, views_reviews

app_name = "audits"
urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/new/", views.create_programme, name="programme-create"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/edit/", views.edit_programme, name="programme-edit"),
    path("list/", views.audit_list, name="audits"),
    path("new/", views.create_audit, name="audit-create"),
    path("<int:pk>/", views.audit, name="audit"),
    path("<int:pk>/edit/", views.edit_audit, name="audit-edit"),
    path("<int:pk>/transition/", views.transition_audit, name="audit-transition"),
    path("<int:pk>/findings/", views.add_finding, name="finding-add"),
    path("checklist/<int:pk>/result/", views.record_result, name="item-result"),
    path("findings/<int:pk>/raise/", views.raise_from_finding, name="finding-raise"),
    path("nonconformities/", views.nc_register, name="ncs"),
    path("nonconformities/new/", views.create_nc, name="nc-create"),
    path("nonconformities/<int:pk>/", views.nc, name="nc"),
    path("nonconformities/<int:pk>/edit/", views.edit_nc, name="nc-edit"),
    path("nonconformities/<int:pk>/actions/", views.add_action, name="action-add"),
    path("nonconformities/<int:pk>/review/", views.effectiveness, name="nc-review"),
    path("nonconformities/<int:pk>/transition/", views.transition_nc, name="nc-transition"),
    path("actions/<int:pk>/complete/", views.complete_action, name="action-complete"),
    path("reviews/", views_reviews.reviews, name="reviews"),
    path("reviews/new/", views_reviews.create_review, name="review-create"),
    path("reviews/<int:pk>/", views_reviews.review, name="review"),
    path("reviews/<int:pk>/minutes/", views_reviews.minutes, name="review-minutes"),
    path("reviews/<int:pk>/pack/", views_reviews.refresh_pack, name="review-refresh"),
    path("reviews/<int:pk>/decisions/", views_reviews.add_decision, name="decision-add"),
    path("reviews/<int:pk>/transition/", views_reviews.transition, name="review-transition"),
    path("decisions/<int:pk>/", views_reviews.update_decision, name="decision-update"),
]
