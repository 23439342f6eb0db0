"""People API: CRUD, imports, starter modules, assignments, completions, gaps, coverage; a role matrix."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aisms.apps.people import services
from aisms.apps.people.models import Completion, JobRole, ModuleAssignment, Person, TrainingModule
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]
PEOPLE_CSV = (
    b"employee_id,name,department,manager_id,roles,start_date\nE1,Ana,Claims,,Claims analyst,2024-01-01\n"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _state():
    return (
        list(Person.objects.order_by("pk").values()),
        list(JobRole.objects.order_by("pk").values()),
        list(TrainingModule.objects.order_by("pk").values()),
        list(ModuleAssignment.objects.order_by("pk").values()),
        list(Completion.objects.order_by("pk").values()),
    )


def test_people_crud_assignments_completions_gaps_and_coverage() -> None:
    client = token_client(make_user("isms_manager"))
    role = _post(client, "/api/v1/people/roles", {"name": "Clinician"}).json()
    created = _post(
        client,
        "/api/v1/people/people",
        {"employee_id": "E1", "name": "Ana", "roles": [role["id"]], "start_date": "2024-01-01"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["roles"] == ["Clinician"]
    adopted = _post(client, "/api/v1/people/modules/adopt-starter", {"ids": ["genai-with-company-data"]})
    assert [m["code"] for m in adopted.json()] == ["genai-with-company-data"]
    assignment = _post(
        client,
        "/api/v1/people/assignments",
        {"role": role["id"], "module": adopted.json()[0]["id"], "due_days": 30},
    )
    assert assignment.status_code == 201
    gaps = client.get("/api/v1/people/gaps").json()
    assert [(g["person"], g["module"], g["status"]) for g in gaps["training"]] == [
        ("E1", "genai-with-company-data", "overdue")
    ]
    assert client.get("/api/v1/people/coverage").json()["overall"] == 0.0
    done = _post(
        client,
        "/api/v1/people/completions",
        {"person": "E1", "module": "genai-with-company-data", "completed_on": gaps["today"], "score": 90},
    )
    assert done.status_code == 201, done.content
    coverage = client.get("/api/v1/people/coverage?months=2").json()
    assert (coverage["overall"], coverage["departments"], len(coverage["trend"])) == (1.0, {"": 1.0}, 2)
    assert client.get("/api/v1/people/gaps").json()["training"] == []
    patched = client.patch(
        f"/api/v1/people/people/{created.json()['id']}",
        data=json.dumps({"department": "Clinical"}),
        content_type="application/json",
    )
    assert patched.json()["department"] == "Clinical"
    gone = client.delete(f"/api/v1/people/people/{created.json()['id']}")
    assert gone.json()["active"] is False
    assert client.get("/api/v1/people/people").json()["count"] == 0
    assert client.get("/api/v1/people/people?active=false").json()["count"] == 1
    removed = client.delete(f"/api/v1/people/assignments/{assignment.json()['id']}")
    assert removed.status_code == 204
    assert ModuleAssignment.objects.count() == 0


def test_csv_imports_report_rows_and_columns() -> None:
    client = token_client(make_user("administrator"))
    ok = client.post("/api/v1/people/people/import", {"file": SimpleUploadedFile("hr.csv", PEOPLE_CSV)})
    assert ok.json() == {"filename": "hr.csv", "created": 1, "updated": 0, "unchanged": 0}
    bad = client.post(
        "/api/v1/people/completions/import",
        {"file": SimpleUploadedFile("lms.csv", b"employee_id,module,completed_on\nE1,nope,2025-01-01\n")},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"row": 2, "column": "module", "message": "no training module with code or title 'nope'"}
    ]


# (method, url, body kind, roles allowed)
MANAGERS = {"administrator", "isms_manager"}
WRITERS = {"administrator", "isms_manager", "risk_owner", "contributor"}
MATRIX = [
    ("get", "/api/v1/people/people", None, set(ROLES)),
    ("get", "/api/v1/people/gaps", None, set(ROLES)),
    ("post", "/api/v1/people/people", {"employee_id": "N1", "name": "New"}, WRITERS),
    ("post", "/api/v1/people/roles", {"name": "New role"}, WRITERS),
    ("post", "/api/v1/people/modules/adopt-starter", {"ids": None}, MANAGERS),
    ("upload", "/api/v1/people/people/import", PEOPLE_CSV, MANAGERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body", "allowed"), MATRIX)
def test_role_by_endpoint_matrix(role, method, url, body, allowed) -> None:
    services.create_person(None, employee_id="E0", name="Existing")
    client = token_client(make_user(role))
    before = _state()
    if method == "get":
        response = client.get(url)
    elif method == "upload":
        response = client.post(url, {"file": SimpleUploadedFile("hr.csv", body)})
    else:
        response = _post(client, url, body)
    if role in allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403, response.content
        assert _state() == before
    assert token_client(make_user("auditor")).get("/api/v1/people/coverage").status_code == 200
