from django.urls import path

from aisms.apps.controls import views

app_name = "controls"
urlpatterns = [
    path("", views.index, name="soa"),
    path("approve/", views.approve, name="approve"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/", views.version, name="version"),
    path("compare/", views.compare, name="compare"),
    path("export/<slug:fmt>/", views.export, name="export"),
    path("<str:ref>/", views.row, name="row"),
]
