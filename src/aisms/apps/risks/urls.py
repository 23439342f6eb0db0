from django.urls import path

from aisms.apps.risks import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.create, name="create"),
    path("suggest/", views.suggest, name="suggest"),
    path("treatment/", views.treatment, name="treatment"),
    path("method/", views.method, name="method"),
    path("quantitative/", views.quantitative, name="quantitative"),
    path("<str:ref>/", views.detail, name="detail"),
    path("<str:ref>/edit/", views.edit, name="edit"),
    path("<str:ref>/accept/", views.accept, name="accept"),
    path("<str:ref>/quantify/", views.quantify, name="quantify"),
    path("<str:ref>/actions/new/", views.action_form, name="action-new"),
    path("<str:ref>/actions/<int:action_id>/", views.action_form, name="action-edit"),
]
