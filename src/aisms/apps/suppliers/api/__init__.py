"""Supplier API: the register with its services, data shared, certifications, sub-processors, contract
clauses and linked assets; questionnaire templates and versions; sending assessments (the link is returned
once); reviewing (score, findings, raise as risk); the review schedule and the overview metrics.

The supplier portal itself is not part of the API: a supplier reaches its questionnaire only by its link."""

# isort: off
# Importing the endpoint modules registers their routes, in this order (the order of the API document).
from aisms.apps.suppliers.api import register  # noqa: F401  # registers routes
from aisms.apps.suppliers.api import questionnaires  # noqa: F401  # registers routes
from aisms.apps.suppliers.api import assessment_endpoints  # noqa: F401  # registers routes
from aisms.apps.suppliers.api import findings  # noqa: F401  # registers routes
from aisms.apps.suppliers.api import review_schedule  # noqa: F401  # registers routes

# isort: on
from aisms.apps.suppliers.api.routing import router
from aisms.config.api_operation_ids import pin_operation_ids

pin_operation_ids(router, __name__)

__all__ = ["router"]
