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
    path("intel/", include("aisms.apps.intel.urls")),
    path("audits/", include("aisms.apps.audits.urls")),
    path("threatmodels/", include("aisms.apps.threatmodels.urls")),
    path("secure-coding/", include("aisms.apps.devsec.urls")),
    path("jobs/", include("aisms.apps.jobs.urls")),
    path("posture/", include("aisms.apps.posture.urls")),
    path("compliance/", include("aisms.apps.compliance.urls")),
    path("reports/", include("aisms.reports.urls")),
    path("isms-code/", include("aisms.isms_code.urls")),
    path("", include("aisms.apps.suppliers.urls")),
    path("", include("aisms.apps.web.urls")),
]
