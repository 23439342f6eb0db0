"""Property-based tests of the HTTP API against its own OpenAPI document (schemathesis).

Schemathesis loads /api/v1/openapi.json from the real WSGI application, generates requests for every
read operation (and the token endpoints) and checks that no response is a server error and that every
documented response matches its schema. It runs inside the test database (which holds the shipped
catalogue) as an administrator with a bearer token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from aisms.apps.accounts.tokens import issue_token
from aisms.apps.context.models import Organisation
from aisms.config.wsgi import application
from tests.factories import make_user

SCHEMA_PATH = "/api/v1/openapi.json"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _read_or_token_operation(ctx: Any) -> bool:
    """Every GET, plus creating and revoking one's own API tokens (writes that touch nothing shared)."""
    return ctx.operation.method.upper() == "GET" or ctx.operation.path.rstrip("/").endswith(
        ("/tokens", "/tokens/{token_id}")
    )


# Loaded when the module is collected: serving the OpenAPI document needs no database.
# (schemathesis.pytest.from_fixture would load it lazily, but its lazy runner reads a private pytest
# attribute, Function._nodeid, that pytest 9 no longer has.)
full_schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)
schema = full_schema.include(_read_or_token_operation)


@pytest.fixture
def _requests_share_the_test_transaction() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes the database connection after each request
    (as Django's own test client avoids): keep the connection, so requests see the test's data and the
    test transaction survives."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(db: None, settings: Any) -> dict[str, str]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = make_user("administrator", username="schemathesis-admin")
    make_user("auditor", username="schemathesis-auditor")
    Organisation.objects.create(name="Schemathesis Org", headcount=5, annual_turnover_eur="1234567.89")
    issued = issue_token(admin, "schemathesis", 30)
    return {"Authorization": f"Bearer {issued.secret}"}


def test_the_schema_documents_every_endpoint() -> None:
    raw = full_schema.raw_schema
    paths = {(method.upper(), path) for path, item in raw["paths"].items() for method in item}
    assert {
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("PATCH", "/api/v1/users/{user_id}"),
        ("GET", "/api/v1/organisation"),
        ("PUT", "/api/v1/organisation"),
        ("GET", "/api/v1/catalogue/stats"),
        ("GET", "/api/v1/catalogue/sources"),
        ("GET", "/api/v1/catalogue/entries"),
        ("GET", "/api/v1/catalogue/entries/{uid}"),
        ("GET", "/api/v1/catalogue/controls"),
        ("GET", "/api/v1/catalogue/techniques"),
        ("GET", "/api/v1/catalogue/atlas-imports"),
        ("POST", "/api/v1/catalogue/atlas-imports"),
        ("GET", "/api/v1/history/{model}/{object_id}"),
    } <= paths


@pytest.mark.django_db
@pytest.mark.usefixtures("_requests_share_the_test_transaction")
@schema.parametrize()
@hypothesis_settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_openapi_document(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
