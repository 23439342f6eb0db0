"""Compliance API: derived status of clauses and controls, gaps, crosswalks, evidence (with uploads,
revisions and links), documents with versions and approval, objectives and measurements, the regulatory
register with obligations, and the exposure."""

# isort: off
# Importing the endpoint modules registers their routes, in this order (the order of the API document).
from aisms.apps.compliance.api import control_status  # noqa: F401  # registers routes
from aisms.apps.compliance.api import evidence  # noqa: F401  # registers routes
from aisms.apps.compliance.api import documents  # noqa: F401  # registers routes
from aisms.apps.compliance.api import objectives  # noqa: F401  # registers routes
from aisms.apps.compliance.api import regulations  # noqa: F401  # registers routes

# isort: on
from aisms.apps.compliance.api.routing import router
from aisms.config.api_operation_ids import pin_operation_ids

pin_operation_ids(router, __name__)

__all__ = ["router"]
