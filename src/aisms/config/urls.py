"""URL routes: the web UI, the API under /api/v1/."""

from django.urls import include, path

from aisms.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("aisms.apps.accounts.urls")),
    path("catalogue/", include("aisms.apps.catalogue.urls")),
    path("assets/", include("aisms.apps.assets.urls")),
    path("", include("aisms.apps.context.urls")),
    path("soa/", include("aisms.apps.controls.urls")),
    path("risks/", include("aisms.apps.risks.urls")),
    path("people/", include("aisms.apps.people.urls")),
    path("", include("aisms.apps.web.urls")),
]
