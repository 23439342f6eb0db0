"""The asset inventory through the HTTP API at /api/v1/assets: CRUD, validation, components, dependencies,
CSV/XLSX import and export, and a role x endpoint permission matrix (denied writes change nothing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from aisms.apps.assets import services
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.domain.access import Role
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db

API = "/api/v1/assets"
NGINX_CPE = "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"
CPE_HELP = (
    "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[str, Any]:
    """Everything a write to the inventory could change."""
    return {
        "assets": list(Asset.objects.order_by("pk").values()),
        "links": sorted(Asset.depends_on.through.objects.values_list("from_asset_id", "to_asset_id")),
        "components": list(SoftwareComponent.objects.order_by("pk").values()),
        "asset_history": Asset.history.count(),  # type: ignore[attr-defined]
        "component_history": SoftwareComponent.history.count(),  # type: ignore[attr-defined]
    }


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def json_post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


@pytest.fixture
def amira() -> Any:
    return make_user("isms_manager", username="amira")


@pytest.fixture
def api(amira: Any) -> Client:
    return token_client(amira)


@pytest.fixture
def inventory(amira: Any) -> dict[str, Asset]:
    daniel = make_user("risk_owner", username="daniel")
    eks = services.create_asset(None, name="Kubernetes cluster", kind="infrastructure")
    llm = services.create_asset(
        None, name="Nimbus API", kind="ai_service", owner=daniel, supplier="Nimbus AI"
    )
    triage = services.create_asset(
        None,
        name="Triage Assistant",
        kind="ai_system",
        owner=daniel,
        depends_on=[llm, eks],
        confidentiality="high",
    )
    portal = services.create_asset(
        None, name="Patient portal", kind="application", owner=amira, depends_on=[triage]
    )
    services.add_component(None, portal, vendor="nginx", product="nginx", version="1.24.0", cpe=NGINX_CPE)
    return {"eks": eks, "llm": llm, "triage": triage, "portal": portal}


# --- reading -------------------------------------------------------------------------------------------


def test_list_is_paginated_with_components_and_dependencies(api: Client, inventory: dict[str, Asset]) -> None:
    response = api.get(API)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [a["name"] for a in body["items"]] == [
        "Kubernetes cluster",
        "Nimbus API",
        "Patient portal",
        "Triage Assistant",
    ]
    portal = body["items"][2]
    assert portal["owner"] == "amira"
    assert portal["components"] == [
        {
            "id": portal["components"][0]["id"],
            "vendor": "nginx",
            "product": "nginx",
            "version": "1.24.0",
            "cpe": NGINX_CPE,
        }
    ]
    assert [d["name"] for d in portal["depends_on"]] == ["Triage Assistant"]
    triage = body["items"][3]
    assert (triage["kind"], triage["kind_label"], triage["is_ai"]) == ("ai_system", "AI system", True)
    assert [d["name"] for d in triage["dependents"]] == ["Patient portal"]


def test_list_filters(api: Client, inventory: dict[str, Asset]) -> None:
    def names(**params: Any) -> list[str]:
        response = api.get(API, params)
        assert response.status_code == 200, response.content
        return [a["name"] for a in response.json()["items"]]

    assert names(ai="true") == ["Nimbus API", "Triage Assistant"]
    assert names(ai="false") == ["Kubernetes cluster", "Patient portal"]
    assert names(kind="ai_service") == ["Nimbus API"]
    assert names(owner="daniel") == ["Nimbus API", "Triage Assistant"]
    assert names(owner="none") == ["Kubernetes cluster"]
    assert names(q="nginx") == ["Patient portal"]
    assert names(sort="-confidentiality")[0] == "Triage Assistant"
    services.archive_asset(None, inventory["eks"])
    assert names(archived="true") == ["Kubernetes cluster"]
    assert "Kubernetes cluster" not in names()


def test_the_list_takes_the_same_number_of_queries_for_many_assets(
    api: Client, inventory: dict[str, Asset]
) -> None:
    assert api.get(API).status_code == 200  # the token's first use records when it was used
    with CaptureQueriesContext(connection) as few:
        assert api.get(API).status_code == 200
    for index in range(12):
        extra = services.create_asset(
            None, name=f"Laptop {index}", kind="infrastructure", depends_on=[inventory["eks"]]
        )
        services.add_component(None, extra, vendor="Microsoft", product="Windows", version="11")

    with CaptureQueriesContext(connection) as many:
        assert api.get(API).json()["count"] == 16

    assert len(many) == len(few)


def test_get_one_asset_and_its_graph(api: Client, inventory: dict[str, Asset]) -> None:
    llm = inventory["llm"]

    body = api.get(f"{API}/{llm.pk}").json()
    graph = api.get(f"{API}/{llm.pk}/graph").json()

    assert (body["name"], body["supplier"], body["owner"]) == ("Nimbus API", "Nimbus AI", "daniel")
    assert graph == {
        "id": llm.pk,
        "name": "Nimbus API",
        "depends_on": [],
        "dependents": [
            {"id": inventory["triage"].pk, "name": "Triage Assistant", "kind": "ai_system", "depth": 1},
            {"id": inventory["portal"].pk, "name": "Patient portal", "kind": "application", "depth": 2},
        ],
    }
    assert api.get(f"{API}/999999").json() == {"message": "not found"}
    assert api.get(f"{API}/999999").status_code == 404


# --- writing -------------------------------------------------------------------------------------------


def test_create_an_ai_asset_owned_by_the_caller_by_default(api: Client, amira: Any) -> None:
    response = json_post(
        api,
        "",
        {
            "name": "Guideline store",
            "kind": "vector_store",
            "integrity": "very_high",
            "reads_untrusted_content": False,
            "eu_ai_act_tier": "eu-ai-act:2024:minimal",
        },
    )

    assert response.status_code == 201
    body = response.json()
    stored = Asset.objects.get(name="Guideline store")
    assert body["id"] == stored.pk
    assert (body["owner"], body["integrity"], body["reads_untrusted_content"], body["can_act"]) == (
        "amira",
        "very_high",
        False,
        None,
    )
    assert (stored.owner, stored.eu_ai_act_tier) == (amira, "eu-ai-act:2024:minimal")
    assert stored.history.get().history_user == amira  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X", "kind": "model", "owner": "ghost"}, "owner: no user named 'ghost'"),
        (
            {"name": "X", "kind": "model", "eu_ai_act_tier": "high"},
            "eu_ai_act_tier: 'high' is not an EU AI Act risk tier",
        ),
        ({"name": "X", "kind": "robot"}, "body.payload.kind: Input should be"),
        ({"name": "", "kind": "model"}, "body.payload.name: String should have at least 1 character"),
        ({"name": "X", "kind": "model", "depends_on": [999999]}, "depends_on: no asset with id 999999"),
    ],
)
def test_invalid_assets_are_422_and_change_nothing(api: Client, body: dict[str, Any], message: str) -> None:
    before = snapshot()

    response = json_post(api, "", body)

    assert response.status_code == 422
    assert response.json()["message"].startswith(message), response.json()
    assert snapshot() == before


def test_put_replaces_and_patch_changes_only_what_is_sent(api: Client, inventory: dict[str, Asset]) -> None:
    llm = inventory["llm"]

    patched = api.patch(
        f"{API}/{llm.pk}", {"hosting": "Frankfurt", "can_act": False}, content_type="application/json"
    )

    assert patched.status_code == 200
    llm.refresh_from_db()
    assert (llm.hosting, llm.can_act, llm.supplier, llm.owner.username) == (
        "Frankfurt",
        False,
        "Nimbus AI",
        "daniel",
    )  # type: ignore[union-attr]

    put = api.put(
        f"{API}/{llm.pk}", {"name": "Nimbus LLM API", "kind": "ai_service"}, content_type="application/json"
    )

    assert put.status_code == 200
    llm.refresh_from_db()
    assert (llm.name, llm.hosting, llm.supplier, llm.owner, llm.can_act) == (
        "Nimbus LLM API",
        "",
        "",
        None,
        None,
    )
    assert [d["name"] for d in put.json()["dependents"]] == ["Triage Assistant"]  # dependencies left alone


def test_dependencies_are_set_and_cycles_refused(api: Client, inventory: dict[str, Asset]) -> None:
    llm, eks, portal = inventory["llm"], inventory["eks"], inventory["portal"]

    ok = api.put(f"{API}/{llm.pk}/dependencies", {"depends_on": [eks.pk]}, content_type="application/json")

    assert ok.status_code == 200
    assert [d["name"] for d in ok.json()["depends_on"]] == ["Kubernetes cluster"]
    before = snapshot()
    cycle = api.put(
        f"{API}/{llm.pk}/dependencies", {"depends_on": [portal.pk]}, content_type="application/json"
    )
    itself = api.patch(f"{API}/{llm.pk}", {"depends_on": [llm.pk]}, content_type="application/json")

    assert (cycle.status_code, itself.status_code) == (422, 422)
    assert (
        cycle.json()["message"]
        == "depends_on: dependency cycle: Nimbus API → Patient portal → Triage Assistant → Nimbus API"
    )
    assert itself.json()["message"] == "depends_on: an asset cannot depend on itself"
    assert snapshot() == before


def test_components_are_added_and_removed_and_a_bad_cpe_is_422(
    api: Client, inventory: dict[str, Asset]
) -> None:
    triage = inventory["triage"]
    before = snapshot()

    bad = json_post(
        api, f"/{triage.pk}/components", {"vendor": "LangChain", "product": "langchain", "cpe": "langchain"}
    )

    assert bad.status_code == 422
    assert bad.json()["message"] == f"cpe: 'langchain' is not a CPE 2.3 name {CPE_HELP}"
    assert snapshot() == before

    cpe = "cpe:2.3:a:langchain:langchain:0.2.16:*:*:*:*:*:*:*"
    added = json_post(
        api,
        f"/{triage.pk}/components",
        {"vendor": "LangChain", "product": "langchain", "version": "0.2.16", "cpe": cpe},
    )
    assert added.status_code == 201
    assert added.json()["cpe"] == cpe
    removed = api.delete(f"{API}/{triage.pk}/components/{added.json()['id']}")
    assert removed.status_code == 200
    assert removed.json()["components"] == []
    other_assets_component = inventory["portal"].components.get()
    assert api.delete(f"{API}/{triage.pk}/components/{other_assets_component.pk}").status_code == 404


def test_delete_archives_and_restore_brings_back(api: Client, inventory: dict[str, Asset]) -> None:
    portal = inventory["portal"]

    archived = api.delete(f"{API}/{portal.pk}")

    assert (archived.status_code, archived.json()["archived"]) == (200, True)
    assert Asset.objects.filter(pk=portal.pk).exists()
    restored = api.post(f"{API}/{portal.pk}/restore")
    assert (restored.status_code, restored.json()["archived"]) == (200, False)


# --- import and export ---------------------------------------------------------------------------------

GOOD_CSV = (
    "name,kind,owner,depends_on,software_components\n"
    "Wiki,application,amira,Kubernetes cluster,Atlassian|Confluence|8.5.4\n"
    "Kubernetes cluster,infrastructure,,,\n"
)
BAD_CSV = (
    "name,kind,owner,confidentiality\n"
    "Wiki,application,amira,high\n"
    "Broken,robot,ghost,high\n"
    "CRM,application,amira,extreme\n"
)


def test_import_a_csv_file(api: Client) -> None:
    response = api.post(f"{API}/import", {"file": upload("assets.csv", GOOD_CSV.encode())})

    assert response.status_code == 200
    assert response.json() == {"filename": "assets.csv", "created": 2, "updated": 0, "unchanged": 0}
    wiki = Asset.objects.get(name="Wiki")
    assert list(wiki.depends_on.values_list("name", flat=True)) == ["Kubernetes cluster"]
    assert list(wiki.components.values_list("vendor", "product", "version")) == [
        ("Atlassian", "Confluence", "8.5.4")
    ]


def test_import_an_xlsx_file(api: Client) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in (["name", "kind", "learns_from_user_data"], ["ClaimGuard", "AI model", "yes"]):
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = api.post(f"{API}/import", {"file": upload("claims.xlsx", buffer.getvalue())})

    assert response.status_code == 200, response.content
    assert Asset.objects.get(name="ClaimGuard").learns_from_user_data is True


def test_a_bad_import_is_400_listing_every_row_and_column_and_changes_nothing(
    api: Client, inventory: dict[str, Asset]
) -> None:
    before = snapshot()

    response = api.post(f"{API}/import", {"file": upload("bad.csv", BAD_CSV.encode())})

    assert response.status_code == 400
    body = response.json()
    assert body["filename"] == "bad.csv"
    assert body["message"].startswith(
        "bad.csv: nothing was changed. row 3, column kind: 'robot' is not a kind"
    )
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "kind"),
        (3, "owner"),
        (4, "confidentiality"),
    ]
    assert body["errors"][1]["message"] == "no user named 'ghost'"
    assert snapshot() == before


def test_an_oversized_upload_is_413(api: Client, settings: Any) -> None:
    settings.AISMS_MAX_UPLOAD_BYTES = 20
    before = snapshot()

    response = api.post(f"{API}/import", {"file": upload("big.csv", GOOD_CSV.encode())})

    assert response.status_code == 413
    assert response.json() == {"message": "file: larger than the 20 byte upload limit"}
    assert snapshot() == before


def test_export_csv_and_xlsx(api: Client, inventory: dict[str, Asset]) -> None:
    response = api.get(f"{API}/export", {"format": "csv", "ai": "true"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="assets-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["name"], r["depends_on"]) for r in rows] == [
        ("Nimbus API", ""),
        ("Triage Assistant", "Kubernetes cluster; Nimbus API"),
    ]

    xlsx = api.get(f"{API}/export", {"format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content.startswith(b"PK\x03\x04")
    assert api.get(f"{API}/export", {"format": "pdf"}).status_code == 422


def test_an_export_imports_back_unchanged(api: Client, inventory: dict[str, Asset]) -> None:
    exported = api.get(f"{API}/export", {"format": "xlsx"}).content
    before = snapshot()

    response = api.post(f"{API}/import", {"file": upload("round.xlsx", exported)})

    assert response.json() == {"filename": "round.xlsx", "created": 0, "updated": 0, "unchanged": 4}
    assert snapshot() == before


# --- the permission matrix -----------------------------------------------------------------------------

ROLES = [r.value for r in Role]


def _row(
    administrator: int, isms_manager: int, risk_owner: int, contributor: int, auditor: int
) -> dict[str, int]:
    return dict(zip(ROLES, (administrator, isms_manager, risk_owner, contributor, auditor), strict=True))


# "own": an asset the caller owns; "other": one owned by someone else.
#                                                      admin  isms  risk  contrib  auditor
EXPECTED: dict[str, dict[str, int]] = {
    "GET /assets":                                 _row(200,   200,  200,  200,     200),
    "GET /assets/{id}":                            _row(200,   200,  200,  200,     200),
    "GET /assets/{id}/graph":                      _row(200,   200,  200,  200,     200),
    "GET /assets/export":                          _row(200,   200,  200,  200,     200),
    "POST /assets":                                _row(201,   201,  201,  201,     403),
    "PUT /assets/{own}":                           _row(200,   200,  200,  200,     403),
    "PATCH /assets/{own}":                         _row(200,   200,  200,  200,     403),
    "PATCH /assets/{other}":                       _row(200,   200,  200,  403,     403),
    "PUT /assets/{other}/dependencies":            _row(200,   200,  200,  403,     403),
    "POST /assets/{own}/components":               _row(201,   201,  201,  201,     403),
    "POST /assets/{other}/components":             _row(201,   201,  201,  403,     403),
    "DELETE /assets/{other}/components/{id}":      _row(200,   200,  200,  403,     403),
    "DELETE /assets/{own}":                        _row(200,   200,  403,  403,     403),
    "POST /assets/{archived}/restore":             _row(200,   200,  403,  403,     403),
    "POST /assets/import":                         _row(200,   200,  200,  200,     403),
}  # fmt: skip

SESSION_SUBSET = [
    "GET /assets",
    "POST /assets",
    "PATCH /assets/{other}",
    "DELETE /assets/{own}",
    "POST /assets/import",
]


@dataclass
class World:
    actor: Any
    own: Asset
    other: Asset
    spare: Asset
    retired: Asset  # archived
    component: SoftwareComponent
    client: Client


def _build(role: str, make_client: Callable[[Any], Client]) -> World:
    actor = make_user(role, username=f"actor-{role}")
    someone = make_user("risk_owner", username="someone-else")
    own = services.create_asset(None, name="Own wiki", kind="application", owner=actor)
    spare = services.create_asset(None, name="Spare cluster", kind="infrastructure")
    other = services.create_asset(None, name="Other model", kind="model", owner=someone, depends_on=[spare])
    component = services.add_component(None, other, vendor="nginx", product="nginx", cpe=NGINX_CPE)
    retired = services.archive_asset(
        None, services.create_asset(None, name="Retired fax", kind="infrastructure")
    )
    return World(actor, own, other, spare, retired, component, make_client(actor))


MATRIX_CSV = b"name,kind,hosting\nImported CRM,application,SaaS\n"


BODIES: dict[str, dict[str, Any]] = {
    "POST /assets": {"name": "New agent", "kind": "agent"},
    "PUT /assets/{own}": {"name": "Own wiki", "kind": "application", "hosting": "Dublin"},
    "PATCH /assets/{own}": {"supplier": "Atlassian"},
    "PATCH /assets/{other}": {"supplier": "Acme"},
    "PUT /assets/{other}/dependencies": {"depends_on": []},
    "POST /assets/{own}/components": {"vendor": "Atlassian", "product": "Confluence"},
    "POST /assets/{other}/components": {"vendor": "Python", "product": "Python"},
}


def _call(key: str, w: World) -> Any:
    method, template = key.split()
    path = template.replace("/components/{id}", f"/components/{w.component.pk}")
    url = "/api/v1" + path.format(own=w.own.pk, other=w.other.pk, id=w.other.pk, archived=w.retired.pk)
    send = getattr(w.client, method.lower())
    if key == "POST /assets/import":
        return send(url, {"file": upload("m.csv", MATRIX_CSV)})
    if key == "GET /assets/export":
        return send(url, {"format": "csv"})
    if key in BODIES:
        return send(url, BODIES[key], content_type="application/json")
    return send(url)


def _check_allowed(key: str, w: World, response: Any) -> None:
    """The allowed request took effect (or, for reads, returned what is stored)."""
    body = response.json() if key != "GET /assets/export" else None
    if key == "GET /assets":
        assert [a["name"] for a in body["items"]] == ["Other model", "Own wiki", "Spare cluster"]
    elif key == "GET /assets/{id}":
        assert (body["name"], body["owner"]) == ("Other model", "someone-else")
    elif key == "GET /assets/{id}/graph":
        assert [d["name"] for d in body["depends_on"]] == ["Spare cluster"]
    elif key == "GET /assets/export":
        assert response.content.decode("utf-8-sig").splitlines()[1].startswith("Other model,model,")
    elif key == "POST /assets":
        assert Asset.objects.get(name="New agent").owner == w.actor
    elif key == "PUT /assets/{own}":
        w.own.refresh_from_db()
        assert (w.own.hosting, w.own.owner) == ("Dublin", None)
    elif key == "PATCH /assets/{own}":
        w.own.refresh_from_db()
        assert (w.own.supplier, w.own.owner) == ("Atlassian", w.actor)
    elif key == "PATCH /assets/{other}":
        w.other.refresh_from_db()
        assert w.other.supplier == "Acme"
    elif key == "PUT /assets/{other}/dependencies":
        assert w.other.depends_on.count() == 0
    elif key == "POST /assets/{own}/components":
        assert list(w.own.components.values_list("product", flat=True)) == ["Confluence"]
    elif key == "POST /assets/{other}/components":
        assert sorted(w.other.components.values_list("product", flat=True)) == ["Python", "nginx"]
    elif key == "DELETE /assets/{other}/components/{id}":
        assert w.other.components.count() == 0
    elif key == "DELETE /assets/{own}":
        w.own.refresh_from_db()
        assert w.own.archived is True
    elif key == "POST /assets/{archived}/restore":
        w.retired.refresh_from_db()
        assert (body["archived"], w.retired.archived) == (False, False)
    elif key == "POST /assets/import":
        assert body == {"filename": "m.csv", "created": 1, "updated": 0, "unchanged": 0}
        assert Asset.history.filter(name="Imported CRM").get().history_user == w.actor  # type: ignore[attr-defined]
    else:  # pragma: no cover - every key above is handled
        raise AssertionError(key)


def _run_cell(role: str, key: str, make_client: Callable[[Any], Client]) -> None:
    world = _build(role, make_client)
    expected = EXPECTED[key][role]
    before = snapshot()

    response = _call(key, world)

    assert response.status_code == expected, (key, role, response.content)
    if expected == 403:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["message"].startswith("your role may not"), response.json()
        assert snapshot() == before
    else:
        _check_allowed(key, world, response)


def test_the_matrix_covers_every_role_and_asset_endpoint() -> None:
    from aisms.config.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith(API)
    }
    covered = set()
    for key in EXPECTED:
        method, path = key.split()
        path = path.replace("/components/{id}", "/components/{component_id}")
        for placeholder in ("{own}", "{other}", "{id}", "{archived}"):
            path = path.replace(placeholder, "{asset_id}")
        covered.add((method, "/api/v1" + path))
    assert covered == operations
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())
    assert set(SESSION_SUBSET) <= set(EXPECTED)


def test_auditors_only_read_and_contributors_write_only_their_own() -> None:
    for key, row in EXPECTED.items():
        assert (row["auditor"] == 200) == key.startswith("GET "), key
        if "{other}" in key and not key.startswith("GET"):
            assert row["contributor"] == 403, key


@pytest.mark.parametrize("key", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_bearer_token_matrix(role: str, key: str) -> None:
    _run_cell(role, key, token_client)


@pytest.mark.parametrize("key", SESSION_SUBSET)
@pytest.mark.parametrize("role", ROLES)
def test_session_matrix(role: str, key: str) -> None:
    _run_cell(role, key, session_client)
