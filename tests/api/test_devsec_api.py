"""Secure coding API: policy versions, repositories, scans (aisms JSON and SARIF), findings; a role x
endpoint permission matrix in which denied calls return 403 JSON and change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aisms.apps.devsec import services
from aisms.apps.devsec.models import Finding, Repository, ScanRun, SecureCodingPolicy
from aisms.domain.devsec import report as report_io
from aisms.domain.devsec.policy import default_policy, default_policy_text
from aisms.domain.devsec.scanner import ScanTarget, scan
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db
API = "/api/v1/devsec"
ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _json(client, method: str, url: str, body: Any = None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _report(tmp_path: Path, name: str = "svc", text: str = "skip the tests\n") -> dict[str, Any]:
    (tmp_path / "CLAUDE.md").write_text(text)
    result = scan(tmp_path, default_policy(), ScanTarget(name, commit="abc"), NOW)
    return report_io.to_json(result)


def _state() -> tuple:
    return (
        list(SecureCodingPolicy.objects.order_by("pk").values()),
        list(Repository.objects.order_by("pk").values()),
        list(ScanRun.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
    )


def test_scan_post_list_and_triage(tmp_path: Path) -> None:
    client = token_client(make_user("isms_manager"))
    posted = _json(client, "post", f"{API}/scans", _report(tmp_path))
    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert (body["repository"], body["warnings"], body["new_findings"], body["control_uid"]) == (
        "svc",
        2,
        2,
        "iso27002:2022:8.28",
    )
    repos = client.get(f"{API}/repositories").json()
    assert [(r["name"], r["open_findings"], r["latest_scan"]) for r in repos["items"]] == [
        ("svc", 2, body["id"])
    ]
    findings = client.get(f"{API}/findings", {"severity": "warning", "status": "open"}).json()["items"]
    assert {f["rule_id"] for f in findings} == {"weakens-security.skip-tests", "human-review-not-stated"}
    target = next(f for f in findings if f["rule_id"] == "human-review-not-stated")
    patched = _json(
        client,
        "patch",
        f"{API}/findings/{target['id']}",
        {"status": "false_positive", "reason": "CONTRIBUTING.md says so"},
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["reason"]) == (
        "false_positive",
        "CONTRIBUTING.md says so",
    )
    no_reason = _json(client, "patch", f"{API}/findings/{target['id']}", {"status": "accepted_risk"})
    assert no_reason.status_code == 422
    assert no_reason.json()["message"].startswith("reason:")
    detail = client.get(f"{API}/scans/{body['id']}").json()
    assert detail["result"]["schema"] == "aisms-devsec-scan/1"
    assert [
        s["id"] for s in client.get(f"{API}/scans", {"repository": repos["items"][0]["id"]}).json()["items"]
    ] == [body["id"]]


def test_scan_post_rejects_bad_reports_with_the_json_path(tmp_path: Path) -> None:
    client = token_client(make_user("contributor"))
    document = _report(tmp_path)
    document["findings"][0]["severity"] = "fatal"
    refused = _json(client, "post", f"{API}/scans", document)
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("request body: $.findings[0].severity")
    not_json = client.post(f"{API}/scans", data=b"{oops", content_type="application/json")
    assert not_json.status_code == 400
    assert ScanRun.objects.count() == 0


def test_scan_post_accepts_sarif_with_a_repository_name(tmp_path: Path) -> None:
    client = token_client(make_user("contributor"))
    sarif = report_io.to_sarif(scan(tmp_path, default_policy(), ScanTarget("x"), NOW))
    sarif["runs"].append(
        {
            "tool": {"driver": {"name": "semgrep"}},
            "results": [{"ruleId": "python.lang.eval", "level": "error", "message": {"text": "eval"}}],
        }
    )
    refused = _json(client, "post", f"{API}/scans", sarif)
    assert refused.status_code == 400
    posted = _json(client, "post", f"{API}/scans?repository=api-svc&commit=deadbeef", sarif)
    assert posted.status_code == 201, posted.content
    assert (posted.json()["repository"], posted.json()["commit"], posted.json()["errors"]) == (
        "api-svc",
        "deadbeef",
        1,
    )


def test_scan_post_is_size_limited(tmp_path: Path, settings) -> None:
    settings.AISMS_MAX_UPLOAD_BYTES = 500
    client = token_client(make_user("contributor"))
    response = _json(client, "post", f"{API}/scans", _report(tmp_path))
    assert response.status_code == 413
    assert ScanRun.objects.count() == 0


def test_policy_put_errors_by_line_and_approve() -> None:
    client = token_client(make_user("isms_manager"))
    refused = _json(client, "put", f"{API}/policy", {"yaml": "name: x\napproved_tools:\n  - id: NOT OK\n"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["line"] == 3
    created = _json(client, "put", f"{API}/policy", {"yaml": default_policy_text(), "note": "v1"})
    assert created.status_code == 201
    assert client.get(f"{API}/policy").json()["draft"]["version"] == 1
    approved = client.post(f"{API}/policy/versions/1/approve")
    assert approved.status_code == 200
    policy = client.get(f"{API}/policy").json()
    assert (policy["in_force"]["version"], policy["draft"]) == (1, None)
    assert [v["version"] for v in client.get(f"{API}/policy/versions").json()] == [1]


def test_repository_create_and_patch() -> None:
    client = token_client(make_user("isms_manager"))
    owner = make_user("contributor", username="dev1")
    created = _json(
        client,
        "post",
        f"{API}/repositories",
        {"name": "portal", "owner": "dev1", "classification": "internal"},
    )
    assert created.status_code == 201
    assert created.json()["owner"] == "dev1"
    duplicate = _json(client, "post", f"{API}/repositories", {"name": "portal"})
    assert duplicate.status_code == 422
    patched = _json(
        client, "patch", f"{API}/repositories/{created.json()['id']}", {"url": "https://git.example/portal"}
    )
    assert patched.json()["url"] == "https://git.example/portal"
    assert Repository.objects.get(name="portal").owner == owner
    unknown = _json(client, "patch", f"{API}/repositories/{created.json()['id']}", {"owner": "nobody"})
    assert unknown.status_code == 422


# --- permission matrix ---------------------------------------------------------------------------------

# key -> expected status per role (administrator, isms_manager, risk_owner, contributor, auditor)
EXPECTED: dict[str, tuple[int, ...]] = {
    "get policy": (200, 200, 200, 200, 200),
    "list policy versions": (200, 200, 200, 200, 200),
    "put policy": (201, 201, 201, 403, 403),
    "approve policy": (200, 200, 403, 403, 403),
    "list repositories": (200, 200, 200, 200, 200),
    "get repository": (200, 200, 200, 200, 200),
    "create repository": (201, 201, 201, 201, 403),
    "patch repository": (200, 200, 200, 403, 403),
    "post scan": (201, 201, 201, 201, 403),
    "list scans": (200, 200, 200, 200, 200),
    "get scan": (200, 200, 200, 200, 200),
    "list findings": (200, 200, 200, 200, 200),
    "get finding": (200, 200, 200, 200, 200),
    "false positive": (200, 200, 200, 403, 403),
    "accept risk": (200, 200, 403, 403, 403),
}


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    version = services.save_policy(None, default_policy_text())
    run = services.record_scan(None, report_io.from_json(_report(tmp_path, "core")))
    finding = Finding.objects.filter(repository=run.repository).first()
    return {
        "version": version.version,
        "repo": run.repository_id,
        "scan": run.pk,
        "finding": finding.pk,
        "tmp": tmp_path,
    }


def _call(client, key: str, w: dict[str, Any]):
    calls = {
        "get policy": lambda: client.get(f"{API}/policy"),
        "list policy versions": lambda: client.get(f"{API}/policy/versions"),
        "put policy": lambda: _json(
            client, "put", f"{API}/policy", {"yaml": default_policy_text() + "\n# v2\n"}
        ),
        "approve policy": lambda: client.post(f"{API}/policy/versions/{w['version']}/approve"),
        "list repositories": lambda: client.get(f"{API}/repositories"),
        "get repository": lambda: client.get(f"{API}/repositories/{w['repo']}"),
        "create repository": lambda: _json(client, "post", f"{API}/repositories", {"name": "new-repo"}),
        "patch repository": lambda: _json(
            client, "patch", f"{API}/repositories/{w['repo']}", {"description": "d"}
        ),
        "post scan": lambda: _json(client, "post", f"{API}/scans", _report(w["tmp"], "core", "Run tests.\n")),
        "list scans": lambda: client.get(f"{API}/scans"),
        "get scan": lambda: client.get(f"{API}/scans/{w['scan']}"),
        "list findings": lambda: client.get(f"{API}/findings"),
        "get finding": lambda: client.get(f"{API}/findings/{w['finding']}"),
        "false positive": lambda: _json(
            client,
            "patch",
            f"{API}/findings/{w['finding']}",
            {"status": "false_positive", "reason": "quoted example"},
        ),
        "accept risk": lambda: _json(
            client,
            "patch",
            f"{API}/findings/{w['finding']}",
            {"status": "accepted_risk", "reason": "until Q1"},
        ),
    }
    return calls[key]()


def _took_effect(key: str, w: dict[str, Any]) -> None:
    if key == "put policy":
        assert SecureCodingPolicy.objects.count() == 2
    elif key == "approve policy":
        assert SecureCodingPolicy.objects.get(version=w["version"]).approved
    elif key == "create repository":
        assert Repository.objects.filter(name="new-repo").exists()
    elif key == "patch repository":
        assert Repository.objects.get(pk=w["repo"]).description == "d"
    elif key == "post scan":
        assert ScanRun.objects.filter(repository_id=w["repo"]).count() == 2
    elif key == "false positive":
        assert Finding.objects.get(pk=w["finding"]).status == "false_positive"
    elif key == "accept risk":
        assert Finding.objects.get(pk=w["finding"]).status == "accepted_risk"


@pytest.mark.parametrize("key", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role: str, key: str, world: dict[str, Any]) -> None:
    client = token_client(make_user(role))
    before = _state()
    response = _call(client, key, world)
    expected = EXPECTED[key][ROLES.index(role)]
    assert response.status_code == expected, (role, key, response.content)
    if expected == 403:
        assert response.json()["message"].startswith("your role may")
        assert _state() == before
    else:
        _took_effect(key, world)


def test_contributor_may_triage_findings_of_repositories_they_own(tmp_path: Path) -> None:
    owner = make_user("contributor")
    client = token_client(owner)
    posted = _json(client, "post", f"{API}/scans", _report(tmp_path, "mine"))
    finding = Finding.objects.filter(repository_id=Repository.objects.get(name="mine").pk).first()
    assert posted.status_code == 201
    response = _json(
        client, "patch", f"{API}/findings/{finding.pk}", {"status": "false_positive", "reason": "example"}
    )
    assert response.status_code == 200
    assert (
        _json(
            client, "patch", f"{API}/repositories/{finding.repository_id}", {"description": "mine"}
        ).status_code
        == 200
    )


def test_anonymous_calls_are_refused() -> None:
    from django.test import Client

    response = Client().get(f"{API}/findings")
    assert response.status_code == 401
