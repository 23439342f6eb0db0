"""Vendor and product name fallback matching."""

from __future__ import annotations

import pytest

from aisms.domain.posture.names import match_names, same_name, tokens


def test_tokens_drop_corporate_filler() -> None:
    assert tokens("Apache Software Foundation") == {"apache"}
    assert tokens("The Foundation") == {"the", "foundation"}  # nothing but filler: keep it


@pytest.mark.parametrize(
    ("component", "vuln"),
    [
        (("Apache Software Foundation", "Airflow"), ("apache", "airflow")),
        (("Apache Software Foundation", "HTTP Server"), ("Apache", "http_server")),
        (("LF Projects", "MLflow"), ("lfprojects", "mlflow")),
        (("Django Software Foundation", "Django"), ("djangoproject", "django")),
        (("nginx", "nginx"), ("F5", "NGINX")),
        (("Microsoft Corporation", "Exchange Server"), ("Microsoft", "Exchange Server")),
    ],
)
def test_names_that_match(component: tuple[str, str], vuln: tuple[str, str]) -> None:
    assert match_names(*component, *vuln).matches


@pytest.mark.parametrize(
    ("component", "vuln"),
    [
        (("Apache Software Foundation", "Airflow"), ("apache", "superset")),
        (("Microsoft", "Exchange Server"), ("Microsoft", "Server")),  # products never match by subset
        (("Oracle", "MySQL"), ("Apache", "MySQL Connector")),
        (("PostgreSQL", "PostgreSQL"), ("Oracle", "MySQL")),
    ],
)
def test_names_that_do_not_match(component: tuple[str, str], vuln: tuple[str, str]) -> None:
    assert not match_names(*component, *vuln).matches


def test_same_name_needs_a_real_token() -> None:
    assert not same_name("", "apache")
    assert not same_name("a", "a b")
    assert same_name("Google", "Google LLC")
