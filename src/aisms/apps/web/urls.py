from django.urls import path

from aisms.apps.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("history/<slug:model>/<str:object_id>/", views.history, name="history"),
]
