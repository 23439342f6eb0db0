from django.urls import path

from aisms.apps.context import views

app_name = "context"
urlpatterns = [path("", views.organisation, name="organisation")]
