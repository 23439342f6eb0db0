"""The SoA API at /api/v1/soa: behaviour of each endpoint, and a role x endpoint permission matrix.

Allowed calls return the documented status and take effect; denied calls return 403 with a JSON message
and leave the SoA (rows, versions and their history) exactly as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.controls import selectors, services
from aisms.apps.controls.models import ControlImplementation, SoAVersion
from aisms.apps.risks import services as risk_services
from aisms.domain.access import Role
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/soa"
ANNEX_A = 93
ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.4 s per user; these tests create many users and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _justified_soa_with_a_risk() -> Any:
    """Every control justified, R-001's action calling for 5.7, version 1 approved by a manager."""
    manager = make_user("isms_manager", username="soa-manager")
    services.ensure_rows()
    ControlImplementation.objects.update(justification="Required by the risk assessment.")
    risk = risk_services.create_risk(
        manager,
        title="Prompt injection",
        scores=risk_services.Scores((4, 4), (3, 3), (2, 2)),
        custom_threat="Prompt injection",
    )
    risk_services.add_action(
        manager,
        risk,
        title="Subscribe to an AI threat feed",
        controls=[CatalogueEntry.objects.get(uid="iso27002:2022:5.7")],
    )
    services.approve_version(manager, notes="First.")
    return manager


def soa_state() -> dict[str, Any]:
    """Everything an SoA write could change."""
    return {
        "rows": list(
            ControlImplementation.objects.order_by("pk").values_list(
                "pk",
                "applicable",
                "justification",
                "implementation_status",
                "owner_id",
                "notes",
                "updated_at",
            )
        ),
        "row_history": ControlImplementation.history.count(),  # type: ignore[attr-defined]
        "versions": list(SoAVersion.objects.order_by("pk").values_list("pk", "version", "status", "notes")),
        "version_history": SoAVersion.history.count(),  # type: ignore[attr-defined]
    }


# ------------------------------------------------------------------ behaviour


def test_list_rows_with_derived_risks_and_filters() -> None:
    _justified_soa_with_a_risk()
    client = token_client(make_user("auditor"))

    everything = client.get(f"{API}/controls").json()
    called = client.get(f"{API}/controls", {"called_for": "true"}).json()
    physical = client.get(f"{API}/controls", {"theme": "physical", "page_size": 5}).json()
    none_excluded = client.get(f"{API}/controls", {"status": "not_applicable"}).json()

    assert everything["count"] == ANNEX_A
    assert [r["ref"] for r in everything["items"][:3]] == ["5.1", "5.2", "5.3"]
    assert called["count"] == 1
    (row,) = called["items"]
    assert row["ref"] == "5.7"
    assert row["control"] == "iso27002:2022:5.7"
    assert row["risks"] == ["R-001"]
    assert [(a["risk"], a["title"]) for a in row["actions"]] == [("R-001", "Subscribe to an AI threat feed")]
    assert (row["status"], row["recorded_status"], row["problems"]) == ("not_started", "not_started", [])
    assert physical["count"] == 14
    assert len(physical["items"]) == 5
    assert none_excluded["count"] == 0


def test_get_and_patch_one_row_by_its_control_reference() -> None:
    _justified_soa_with_a_risk()
    sofia = make_user("contributor", username="sofia", first_name="Sofia", last_name="Lindqvist")
    client = token_client(make_user("isms_manager", username="amira"))

    response = client.patch(
        f"{API}/controls/7.12",
        {
            "applicable": False,
            "justification": "No server rooms.",
            "implementation_status": "implemented",
            "owner": "sofia",
            "notes": "Landlord cabling.",
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applicable"], body["justification"], body["owner"], body["owner_name"]) == (
        False,
        "No server rooms.",
        "sofia",
        "Sofia Lindqvist",
    )
    assert (body["status"], body["recorded_status"]) == ("not_applicable", "implemented")
    assert body["problems"] == ["excluded, yet recorded as implemented"]
    assert client.get(f"{API}/controls/7.12").json() == body
    row = selectors.implementation("7.12")
    assert row.owner == sofia
    assert row.history.first().history_user.username == "amira"  # type: ignore[attr-defined]

    cleared = client.patch(f"{API}/controls/7.12", {"owner": None}, content_type="application/json")
    assert cleared.status_code == 200
    assert cleared.json()["owner"] is None
    assert cleared.json()["justification"] == "No server rooms."  # fields not sent are kept


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"justification": "   "}, 422, "justification: give the reason for including control 5.1"),
        ({"applicable": None}, 422, "applicable: may not be null"),
        ({"implementation_status": "not_applicable"}, 422, "body.payload.implementation_status: "),
        ({"owner": "nobody-here"}, 404, "not found"),
    ],
)
def test_invalid_patches_are_refused_and_change_nothing(
    payload: dict[str, Any], status: int, message: str
) -> None:
    _justified_soa_with_a_risk()
    client = token_client(make_user("isms_manager"))
    before = soa_state()

    response = client.patch(f"{API}/controls/5.1", payload, content_type="application/json")

    assert response.status_code == status, response.content
    assert response.json()["message"].startswith(message)
    assert soa_state() == before


def test_unknown_controls_and_versions_are_404() -> None:
    _justified_soa_with_a_risk()
    client = token_client(make_user("isms_manager"))

    assert client.get(f"{API}/controls/9.99").status_code == 404
    assert client.get(f"{API}/controls/not-a-control").status_code == 404
    assert client.patch(f"{API}/controls/9.99", {}, content_type="application/json").status_code == 404
    assert client.get(f"{API}/versions/7").json() == {"message": "not found"}
    assert client.get(f"{API}/compare", {"a": "1", "b": "7"}).status_code == 404


def test_problems_and_summary() -> None:
    services.ensure_rows()
    ControlImplementation.objects.exclude(control__ref="5.1").update(justification="Reason.")
    client = token_client(make_user("auditor"))

    problems = client.get(f"{API}/problems").json()
    summary = client.get(f"{API}/summary").json()

    assert problems == [
        {
            "control": "iso27002:2022:5.1",
            "ref": "5.1",
            "kind": "missing_justification",
            "message": "no justification for including the control",
        }
    ]
    assert (summary["total"], summary["included"], summary["excluded"], summary["problems"]) == (93, 93, 0, 1)
    assert summary["by_status"]["not_started"] == 93
    assert [t["theme"] for t in summary["by_theme"]] == [
        "organizational",
        "people",
        "physical",
        "technological",
    ]
    assert summary["by_theme"][2] == {
        "theme": "physical",
        "label": "Physical controls",
        "counts": {
            "not_started": 14,
            "planned": 0,
            "partially_implemented": 0,
            "implemented": 0,
            "not_applicable": 0,
        },
    }


def test_approval_with_problems_is_422_listing_them() -> None:
    services.ensure_rows()
    client = token_client(make_user("isms_manager"))

    response = client.post(f"{API}/versions", {"notes": "x"}, content_type="application/json")

    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "problems: 5.1: no justification for including the control"
    assert len(body["errors"]["problems"]) == ANNEX_A
    assert SoAVersion.objects.count() == 0


def test_versions_approve_and_compare() -> None:
    _justified_soa_with_a_risk()
    client = token_client(make_user("administrator", username="root"))
    client.patch(
        f"{API}/controls/5.7",
        {"implementation_status": "implemented", "justification": "Feeds in place."},
        content_type="application/json",
    )

    draft = client.get(f"{API}/compare", {"a": "1"}).json()
    created = client.post(f"{API}/versions", {"notes": "Threat feeds live."}, content_type="application/json")
    listed = client.get(f"{API}/versions").json()
    detail = client.get(f"{API}/versions/2").json()
    between = client.get(f"{API}/compare", {"a": "1", "b": "2"}).json()
    bad = client.get(f"{API}/compare", {"a": "latest"})

    assert draft["a"] == "1"
    assert draft["b"] == "draft"
    assert draft["counts"] == {"added": 0, "removed": 0, "changed": 1}
    (change,) = draft["changes"]
    assert (change["ref"], change["change"]) == ("5.7", "changed")
    assert [(f["field"], f["old"], f["new"]) for f in change["fields"]] == [
        ("justification", "Required by the risk assessment.", "Feeds in place."),
        ("status", "not_started", "implemented"),
    ]
    assert created.status_code == 201
    assert created.json()["version"] == 2
    assert created.json()["approved_by"] == "root"
    assert created.json()["controls"] == ANNEX_A
    assert [v["version"] for v in listed["items"]] == [2, 1]
    assert (detail["version"], detail["status"], detail["notes"]) == (2, "approved", "Threat feeds live.")
    assert len(detail["rows"]) == ANNEX_A
    assert next(r for r in detail["rows"] if r["ref"] == "5.7")["risks"] == ["R-001"]
    assert between["changes"] == draft["changes"]
    assert bad.status_code == 422
    assert bad.json()["message"] == "'latest' is neither 'draft' nor a version number"


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "soa-v1.xlsx"),
        ("csv", "text/csv; charset=utf-8", "soa-v1.csv"),
        ("pdf", "application/pdf", "soa-v1.pdf"),
    ],
)
def test_exports_are_files_with_type_and_name(fmt: str, content_type: str, filename: str) -> None:
    _justified_soa_with_a_risk()
    client = token_client(make_user("auditor"))

    response = client.get(f"{API}/export", {"format": fmt, "version": "1"})

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content))["SoA"]
        assert sheet["B3"].value == "Version 1"
        assert sheet.max_row == 9 + ANNEX_A
    elif fmt == "csv":
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(lines) == 1 + ANNEX_A
    else:
        assert response.content.startswith(b"%PDF-")


def test_export_of_an_unknown_format_is_422() -> None:
    response = token_client(make_user("auditor")).get(f"{API}/export", {"format": "docx"})

    assert response.status_code == 422
    assert response.json()["message"].startswith("query.format: ")


def test_session_writes_need_the_csrf_token() -> None:
    _justified_soa_with_a_risk()
    client = session_client(make_user("isms_manager"), enforce_csrf=True)
    before = soa_state()

    response = client.patch(f"{API}/controls/5.1", {"justification": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert soa_state() == before


def test_unauthenticated_requests_are_401() -> None:
    response = Client().get(f"{API}/controls")

    assert response.status_code == 401


# ------------------------------------------------------------------ permission matrix


def _row(admin: int, isms: int, risk_owner: int, contributor: int, auditor: int) -> dict[str, int]:
    return dict(zip(ROLES, (admin, isms, risk_owner, contributor, auditor), strict=True))


#                                                 admin  isms  risk  contrib  auditor
EXPECTED: dict[str, dict[str, int]] = {
    "GET /soa/controls":                     _row(200,   200,  200,  200,     200),
    "GET /soa/controls/{ref}":               _row(200,   200,  200,  200,     200),
    "PATCH /soa/controls/{ref}":             _row(200,   200,  200,  403,     403),
    "PATCH /soa/controls/{own}":             _row(200,   200,  200,  200,     403),
    "GET /soa/problems":                     _row(200,   200,  200,  200,     200),
    "GET /soa/summary":                      _row(200,   200,  200,  200,     200),
    "GET /soa/versions":                     _row(200,   200,  200,  200,     200),
    "GET /soa/versions/{version}":           _row(200,   200,  200,  200,     200),
    "POST /soa/versions":                    _row(201,   201,  403,  403,     403),
    "GET /soa/compare":                      _row(200,   200,  200,  200,     200),
    "GET /soa/export?format=xlsx":           _row(200,   200,  200,  200,     200),
    "GET /soa/export?format=csv":            _row(200,   200,  200,  200,     200),
    "GET /soa/export?format=pdf":            _row(200,   200,  200,  200,     200),
}  # fmt: skip

SESSION_SUBSET = [
    "GET /soa/controls",
    "PATCH /soa/controls/{ref}",
    "PATCH /soa/controls/{own}",
    "POST /soa/versions",
]

DENIED_MESSAGES = {
    ("PATCH /soa/controls/{ref}", Role.AUDITOR.value): "your role may not edit",
    ("PATCH /soa/controls/{own}", Role.AUDITOR.value): "your role may not edit",
    (
        "PATCH /soa/controls/{ref}",
        Role.CONTRIBUTOR.value,
    ): "only the owner of control 5.1 may edit it in the SoA",
    ("POST /soa/versions", Role.RISK_OWNER.value): "your role may not approve the Statement of Applicability",
    ("POST /soa/versions", Role.CONTRIBUTOR.value): "your role may not approve",
    ("POST /soa/versions", Role.AUDITOR.value): "your role may not approve",
}

PATCH_BODY = {"justification": "Changed through the matrix.", "implementation_status": "planned"}


@dataclass
class World:
    actor: Any
    client: Client


def _patch(ref: str) -> Callable[[World], Any]:
    return lambda world: world.client.patch(
        f"{API}/controls/{ref}", PATCH_BODY, content_type="application/json"
    )


def _get(path: str, **params: str) -> Callable[[World], Any]:
    return lambda world: world.client.get(f"{API}{path}", params)


REQUESTS: dict[str, Callable[[World], Any]] = {
    "GET /soa/controls": _get("/controls"),
    "GET /soa/controls/{ref}": _get("/controls/5.7"),
    "PATCH /soa/controls/{ref}": _patch("5.1"),
    "PATCH /soa/controls/{own}": _patch("6.7"),
    "GET /soa/problems": _get("/problems"),
    "GET /soa/summary": _get("/summary"),
    "GET /soa/versions": _get("/versions"),
    "GET /soa/versions/{version}": _get("/versions/1"),
    "POST /soa/versions": lambda w: w.client.post(
        f"{API}/versions", {"notes": "Matrix."}, content_type="application/json"
    ),
    "GET /soa/compare": _get("/compare", a="1", b="draft"),
    "GET /soa/export?format=xlsx": _get("/export", format="xlsx"),
    "GET /soa/export?format=csv": _get("/export", format="csv", version="1"),
    "GET /soa/export?format=pdf": _get("/export", format="pdf"),
}


def _check_allowed(key: str, world: World, response: Any) -> None:
    if key.startswith("GET /soa/export"):
        fmt = key.rsplit("=", 1)[1]
        assert response["Content-Disposition"].startswith('attachment; filename="soa-')
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
        return
    body = response.json()
    if key == "GET /soa/controls":
        assert body["count"] == ANNEX_A
    elif key == "GET /soa/controls/{ref}":
        assert (body["ref"], body["risks"]) == ("5.7", ["R-001"])
    elif key in ("PATCH /soa/controls/{ref}", "PATCH /soa/controls/{own}"):
        ref = "5.1" if key.endswith("{ref}") else "6.7"
        row = selectors.implementation(ref)
        assert (row.justification, row.implementation_status) == (PATCH_BODY["justification"], "planned")
        assert row.history.first().history_user_id == world.actor.pk  # type: ignore[attr-defined]
        assert body["recorded_status"] == "planned"
    elif key == "GET /soa/problems":
        assert body == []
    elif key == "GET /soa/summary":
        assert body["total"] == ANNEX_A
    elif key == "GET /soa/versions":
        assert [v["version"] for v in body["items"]] == [1]
    elif key == "GET /soa/versions/{version}":
        assert (body["version"], len(body["rows"])) == (1, ANNEX_A)
    elif key == "POST /soa/versions":
        assert body["version"] == 2
        assert SoAVersion.objects.get(version=2).approved_by_id == world.actor.pk
    elif key == "GET /soa/compare":
        # The draft differs from version 1 in one way: the world made the actor owner of 6.7.
        assert [(c["ref"], [f["field"] for f in c["fields"]]) for c in body["changes"]] == [
            ("6.7", ["owner"])
        ]
    else:  # pragma: no cover - every key above is handled
        raise AssertionError(key)


def _run_cell(role: str, key: str, make_client: Callable[[Any], Client]) -> None:
    _justified_soa_with_a_risk()
    actor = make_user(role, username=f"actor-{role}")
    ControlImplementation.objects.filter(control__ref="6.7", control__source__key="iso27002").update(
        owner=actor
    )
    world = World(actor=actor, client=make_client(actor))
    expected = EXPECTED[key][role]
    before = soa_state()

    response = REQUESTS[key](world)

    assert response.status_code == expected, (key, role, response.content[:300])
    if expected == 403:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["message"].startswith(DENIED_MESSAGES[(key, role)]), response.json()
        assert soa_state() == before
    else:
        _check_allowed(key, world, response)


def test_the_matrix_covers_every_soa_endpoint_and_role() -> None:
    from aisms.config.api import api

    documented = {
        (method, path.removeprefix("/api/v1"))
        for path, item in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/v1/soa")
        for method in (m.upper() for m in item)
    }
    covered = {(key.split()[0], key.split()[1].split("?")[0]) for key in EXPECTED}
    normalised = {(m, p.replace("{own}", "{ref}")) for m, p in covered}
    assert normalised == documented
    assert set(EXPECTED) == set(REQUESTS)
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())
    for key, row in EXPECTED.items():
        assert row[Role.AUDITOR.value] == (200 if key.startswith("GET") else 403), key
        for role, status in row.items():
            assert (status == 403) == ((key, role) in DENIED_MESSAGES), (key, role)


@pytest.mark.parametrize("key", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_bearer_token_matrix(role: str, key: str) -> None:
    _run_cell(role, key, token_client)


@pytest.mark.parametrize("key", SESSION_SUBSET)
@pytest.mark.parametrize("role", ROLES)
def test_session_matrix(role: str, key: str) -> None:
    _run_cell(role, key, session_client)
