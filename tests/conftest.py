"""Shared fixtures. The test database gets the shipped catalogue once per session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import PASSWORD, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Create the test database, then load the shipped reference catalogue into it once."""
    from aisms.apps.catalogue.services import load_builtin_catalogue
    from aisms.catalogue.loader import load_builtin

    with django_db_blocker.unblock():
        load_builtin_catalogue(load_builtin(), force=True)


@pytest.fixture
def user_factory(db: None) -> Callable[..., Any]:
    return make_user


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def admin_user(db: None) -> Any:
    return make_user("administrator", username="root-admin")
