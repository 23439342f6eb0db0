"""Audits and improvement API: audit programmes and their coverage, audits and checklists, findings,
nonconformities with corrective actions and effectiveness reviews, management reviews with their input
pack and decisions, and the due and overdue work."""

# isort: off
# Importing the endpoint modules registers their routes, in this order (the order of the API document).
from aisms.apps.audits.api import programmes  # noqa: F401  # registers routes
from aisms.apps.audits.api import audit_endpoints  # noqa: F401  # registers routes
from aisms.apps.audits.api import nonconformities  # noqa: F401  # registers routes
from aisms.apps.audits.api import management_reviews  # noqa: F401  # registers routes

# isort: on
from aisms.apps.audits.api.routing import router
from aisms.config.api_operation_ids import pin_operation_ids

pin_operation_ids(router, __name__)

__all__ = ["router"]
