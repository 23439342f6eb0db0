"""People, competence and training API: the register, roles and competences, modules, assignments,
completions, both CSV imports, gaps and coverage."""

# isort: off
# Importing the endpoint modules registers their routes, in this order (the order of the API document).
from aisms.apps.people.api import register  # noqa: F401  # registers routes
from aisms.apps.people.api import competences  # noqa: F401  # registers routes
from aisms.apps.people.api import training  # noqa: F401  # registers routes
from aisms.apps.people.api import coverage  # noqa: F401  # registers routes

# isort: on
from aisms.apps.people.api.routing import router
from aisms.config.api_operation_ids import pin_operation_ids

pin_operation_ids(router, __name__)

__all__ = ["router"]
