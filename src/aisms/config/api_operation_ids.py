"""Stable OpenAPI operation ids for routers whose endpoints live in several modules.

Ninja derives an operation id from the view function's module and name. When an app's ``api`` module is
split into a package of endpoint modules, that would change every id (and break generated clients), so
the package pins the ids its endpoints had when they were all in ``aisms.apps.<app>.api``."""

from ninja import Router


def pin_operation_ids(router: Router, module: str) -> None:
    """Give each operation on ``router`` that has no explicit id the id Ninja derives for ``module``."""
    prefix = module.replace(".", "_")
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id is None:
                operation.operation_id = f"{prefix}_{operation.view_func.__name__}"
