"""Secure coding services and pages: policy versions and approval, recording scans with findings carried
across scans, triage permissions, the pages (chart, upload, htmx status change, policy errors by line),
the demo, and `aisms scan --post` against a live server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aisms.apps.accounts.tokens import issue_token
from aisms.apps.devsec import services
from aisms.apps.devsec.demo_data import load_demo_devsec
from aisms.apps.devsec.models import Finding, Repository, ScanRun, SecureCodingPolicy
from aisms.cli import main
from aisms.domain.devsec import report as report_io
from aisms.domain.devsec.policy import PolicyError, default_policy, default_policy_text
from aisms.domain.devsec.scanner import ScanTarget, scan
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db
REVIEW = "Every change gets human review in a pull request.\n"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _tree(root: Path, files: dict[str, str | None]) -> Path:
    for relative, text in files.items():
        path = root / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _uploaded(root: Path, when: datetime, name: str = "svc"):
    result = scan(root, default_policy(), ScanTarget(name, commit="c0ffee"), when)
    return report_io.from_json(json.loads(json.dumps(report_io.to_json(result))))


def _statuses(repository: Repository) -> dict[str, str]:
    return {f.rule_id: f.status for f in Finding.objects.filter(repository=repository)}


# --- policy --------------------------------------------------------------------------------------------


def test_policy_versions_and_approval() -> None:
    manager = make_user("isms_manager")
    v1 = services.save_policy(manager, default_policy_text(), "first")
    assert (v1.version, v1.approved) == (1, False)
    with pytest.raises(PolicyError, match="same as the latest version"):
        services.save_policy(manager, default_policy_text())
    services.approve_policy(manager, v1)
    v2 = services.save_policy(manager, default_policy_text().replace("fail_on: error", "fail_on: warning"))
    assert v2.version == 2
    assert SecureCodingPolicy.objects.get(version=1).approved_by == manager
    assert v1.history.count() == 2  # created, approved
    with pytest.raises(ValidationError, match="already approved"):
        services.approve_policy(manager, SecureCodingPolicy.objects.get(version=1))


def test_policy_with_errors_is_not_saved() -> None:
    with pytest.raises(PolicyError) as caught:
        services.save_policy(make_user("isms_manager"), "name: x\napproved_tools:\n  - id: BAD ID\n")
    assert caught.value.errors[0].line == 3
    assert SecureCodingPolicy.objects.count() == 0


@pytest.mark.parametrize("role", ["contributor", "auditor"])
def test_policy_edit_is_refused_to_contributors_and_auditors(role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.save_policy(make_user(role), default_policy_text())
    assert SecureCodingPolicy.objects.count() == 0


def test_only_managers_approve_the_policy() -> None:
    version = services.save_policy(None, default_policy_text())
    for role in ("risk_owner", "contributor", "auditor"):
        with pytest.raises(PermissionDenied):
            services.approve_policy(make_user(role), version)
    assert not SecureCodingPolicy.objects.get().approved


# --- scans and findings --------------------------------------------------------------------------------


def test_findings_are_carried_across_scans(tmp_path: Path) -> None:
    user = make_user("contributor")
    root = _tree(
        tmp_path,
        {"CLAUDE.md": REVIEW + "skip the tests\n", ".cursorrules": REVIEW, "AGENTS.md": "Use 10.1.2.3\n"},
    )
    first = services.record_scan(user, _uploaded(root, T0))
    repo = first.repository
    assert repo.owner == user  # a contributor who adds a repository owns it
    assert (first.new_findings, first.fixed_findings, first.errors, first.warnings) == (3, 0, 1, 2)
    assert first.control_uid == "iso27002:2022:8.28"

    endpoint = Finding.objects.get(repository=repo, rule_id="internal-endpoint-in-ai-file")
    services.set_finding_status(user, endpoint, services.Status.FALSE_POSITIVE, "documentation address")

    _tree(root, {"CLAUDE.md": REVIEW + "Run the tests.\n", "AGENTS.md": None})
    second = services.record_scan(user, _uploaded(root, T0 + timedelta(days=7)))
    assert (second.new_findings, second.fixed_findings) == (0, 1)
    assert _statuses(repo) == {
        "weakens-security.skip-tests": "fixed",
        "ai-tool-not-approved": "open",
        "internal-endpoint-in-ai-file": "false_positive",
    }
    fixed = Finding.objects.get(repository=repo, rule_id="weakens-security.skip-tests")
    assert fixed.fixed_in == second
    assert not Finding.objects.get(pk=endpoint.pk).present

    _tree(root, {"CLAUDE.md": REVIEW + "skip the tests\n", "AGENTS.md": "Use 10.1.2.3\n"})
    third = services.record_scan(user, _uploaded(root, T0 + timedelta(days=14)))
    assert third.new_findings == 0
    assert _statuses(repo)["weakens-security.skip-tests"] == "open"  # regression reopened
    assert _statuses(repo)["internal-endpoint-in-ai-file"] == "false_positive"  # judgement kept
    assert Finding.objects.get(pk=endpoint.pk).present
    assert ScanRun.objects.filter(repository=repo).count() == 3


def test_a_sarif_only_upload_does_not_fix_assistant_findings(tmp_path: Path) -> None:
    root = _tree(tmp_path, {".cursorrules": REVIEW})
    services.record_scan(None, _uploaded(root, T0))
    sarif = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "Bandit"}},
                "results": [
                    {"ruleId": "B105", "level": "warning", "message": {"text": "Possible hardcoded password"}}
                ],
            }
        ],
    }
    uploaded, source = services.parse_upload(
        json.dumps(sarif).encode(), "bandit.sarif", repository_name="svc"
    )
    run = services.record_scan(None, uploaded, source=source)
    assert (run.source, run.tools, run.new_findings, run.fixed_findings) == ("sarif", ["Bandit"], 1, 0)
    assert _statuses(run.repository) == {"ai-tool-not-approved": "open", "B105": "open"}


def test_upload_errors_name_the_file_and_place() -> None:
    with pytest.raises(services.ScanUploadError, match=r"^scan.json: not valid JSON"):
        services.parse_upload(b"{", "scan.json")
    with pytest.raises(services.ScanUploadError, match=r"^scan.json: \$.repository"):
        services.parse_upload(
            json.dumps({"schema": "aisms-devsec-scan/1", "scanned_at": "x", "findings": []}).encode(),
            "scan.json",
        )
    with pytest.raises(services.ScanUploadError, match="name the repository"):
        services.parse_upload(json.dumps({"version": "2.1.0", "runs": []}).encode(), "b.sarif")
    with pytest.raises(services.ScanUploadError, match=r"^b.sarif: \$.runs\[0\].tool: missing"):
        services.parse_upload(
            json.dumps({"version": "2.1.0", "runs": [{}]}).encode(), "b.sarif", repository_name="r"
        )


def test_triage_permissions(tmp_path: Path) -> None:
    owner = make_user("contributor")
    other = make_user("contributor")
    root = _tree(tmp_path, {".cursorrules": REVIEW})
    repo = services.record_scan(owner, _uploaded(root, T0)).repository
    finding = Finding.objects.get(repository=repo)
    with pytest.raises(PermissionDenied):
        services.set_finding_status(other, finding, services.Status.FALSE_POSITIVE, "not ours")
    with pytest.raises(PermissionDenied):  # accepting a risk is a sign-off
        services.set_finding_status(owner, finding, services.Status.ACCEPTED_RISK, "pilot")
    with pytest.raises(ValidationError, match="reason"):
        services.set_finding_status(owner, finding, services.Status.FALSE_POSITIVE, "")
    assert Finding.objects.get(pk=finding.pk).status == "open"
    services.set_finding_status(
        make_user("isms_manager"), finding, services.Status.ACCEPTED_RISK, "pilot until Q1"
    )
    assert Finding.objects.get(pk=finding.pk).status == "accepted_risk"
    with pytest.raises(PermissionDenied):
        services.record_scan(make_user("auditor"), _uploaded(root, T0))


# --- pages ---------------------------------------------------------------------------------------------


def test_pages_render_with_chart_and_evidence(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"CLAUDE.md": "skip the tests\n"})
    run = services.record_scan(None, _uploaded(root, T0))
    client = session_client(make_user("auditor"))
    index = client.get("/secure-coding/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "findings-chart" in html
    assert "evidence for 8.28" in html
    assert "Upload scan" not in html  # auditors may not add scans
    repo_page = client.get(f"/secure-coding/repositories/{run.repository_id}/").content.decode()
    assert "Findings per scan of svc" in repo_page
    scan_page = client.get(f"/secure-coding/scans/{run.pk}/")
    assert "iso27002:2022:8.28" in scan_page.content.decode()
    history = client.get(f"/history/repository/{run.repository_id}/")
    assert history.status_code == 200
    download = client.get(f"/secure-coding/scans/{run.pk}/?download=json")
    assert json.loads(download.content)["schema"] == "aisms-devsec-scan/1"
    partial = client.get(
        "/secure-coding/?partial=findings&status=all&severity=warning", HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().lstrip().startswith('<div id="findings">')


def test_upload_form_and_htmx_status_change(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"CLAUDE.md": "skip the tests\n"})
    body = report_io.dumps(report_io.to_json(scan(root, default_policy(), ScanTarget("web-app"), T0)))
    manager = make_user("isms_manager")
    client = session_client(manager)
    response = client.post("/secure-coding/upload/", {"file": SimpleUploadedFile("scan.json", body.encode())})
    repo = Repository.objects.get(name="web-app")
    assert response.status_code == 302
    assert response["Location"] == f"/secure-coding/repositories/{repo.pk}/"
    finding = Finding.objects.get(repository=repo, rule_id="weakens-security.skip-tests")
    refused = client.post(
        f"/secure-coding/findings/{finding.pk}/status/",
        {"status": "false_positive", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "give a reason" in refused.content.decode()
    done = client.post(
        f"/secure-coding/findings/{finding.pk}/status/",
        {"status": "false_positive", "reason": "the sentence quotes a bad example"},
        HTTP_HX_REQUEST="true",
    )
    assert done.content.decode().lstrip().startswith(f'<tr id="finding-{finding.pk}"')
    assert "False positive" in done.content.decode()
    assert Finding.objects.get(pk=finding.pk).status_changed_by == manager
    bad = client.post("/secure-coding/upload/", {"file": SimpleUploadedFile("x.json", b"[1]")}, follow=True)
    assert "x.json: $" in bad.content.decode()


def test_policy_editor_shows_errors_by_line_and_approves() -> None:
    client = session_client(make_user("isms_manager"))
    page = client.post(
        "/secure-coding/policy/", {"yaml": "name: x\napproved_tools:\n  - id: NOT OK\n", "note": ""}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Line 3" in html
    assert "approved_tools.0.id" in html
    saved = client.post("/secure-coding/policy/", {"yaml": default_policy_text(), "note": "first"})
    assert saved.status_code == 302
    client.post("/secure-coding/policy/1/approve/")
    assert SecureCodingPolicy.objects.get(version=1).approved
    contributor = session_client(make_user("contributor"))
    assert "Save as a new version" not in contributor.get("/secure-coding/policy/").content.decode()
    assert (
        contributor.post("/secure-coding/policy/", {"yaml": default_policy_text() + "\n"}).status_code == 403
    )


def test_demo_tells_a_story_of_findings_being_fixed() -> None:
    for name, role in (("amira", "isms_manager"), ("sofia", "contributor"), ("daniel", "risk_owner")):
        make_user(role, username=name)
    load_demo_devsec()
    triage = Repository.objects.get(name="triage-assistant")
    runs = list(ScanRun.objects.filter(repository=triage).order_by("scanned_at"))
    assert len(runs) == 4
    assert runs[0].total > runs[-1].total
    assert sum(r.fixed_findings for r in runs) >= 8
    statuses = set(Finding.objects.filter(repository=triage).values_list("status", flat=True))
    assert statuses == {"open", "fixed", "accepted_risk", "false_positive"}
    secret = Finding.objects.get(repository=triage, rule_id="secret-in-ai-file")
    assert "redacted" in secret.message
    assert "Zx9Qdemo" not in json.dumps([r.result for r in runs])
    assert SecureCodingPolicy.objects.filter(approved_at__isnull=False).count() == 1
    assert Repository.objects.get(name="claimguard-model").scans.count() == 2
    load_demo_devsec()  # idempotent
    assert ScanRun.objects.count() == 6


# --- aisms scan --post against a live server -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cli_posts_scans_that_carry_findings(live_server, tmp_path: Path, capsys) -> None:
    user = make_user("contributor")
    token = issue_token(user, "ci").secret
    root = _tree(tmp_path / "svc", {"CLAUDE.md": REVIEW + "skip the tests\n", ".cursorrules": REVIEW})
    args = [
        "scan",
        str(root),
        "--post",
        live_server.url,
        "--token",
        token,
        "--fail-on",
        "never",
        "-o",
        str(tmp_path / "r.json"),
    ]
    assert main(args) == 0
    assert "recorded as scan" in capsys.readouterr().err
    repo = Repository.objects.get(name="svc")
    assert ScanRun.objects.get(repository=repo).uploaded_by == user
    _tree(root, {"CLAUDE.md": REVIEW})
    assert main(args) == 0
    assert _statuses(repo) == {"weakens-security.skip-tests": "fixed", "ai-tool-not-approved": "open"}
    assert main([*args[:4], "--token", "aisms_wrong_token", "--fail-on", "never"]) == 2
    assert "HTTP 401" in capsys.readouterr().err


def test_repository_edit_page_and_policy_download(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"CLAUDE.md": REVIEW})
    repo = services.record_scan(None, _uploaded(root, T0)).repository
    owner = make_user("contributor")
    manager = session_client(make_user("isms_manager"))
    refused = manager.post(f"/secure-coding/repositories/{repo.pk}/edit/", {"classification": "secret"})
    assert "use one of the policy&#x27;s classifications" in refused.content.decode()
    saved = manager.post(
        f"/secure-coding/repositories/{repo.pk}/edit/",
        {"url": "https://git.example/svc", "classification": "confidential", "owner": owner.pk},
    )
    assert saved.status_code == 302
    repo.refresh_from_db()
    assert (repo.url, repo.classification, repo.owner) == ("https://git.example/svc", "confidential", owner)
    other = session_client(make_user("contributor"))
    assert other.post(f"/secure-coding/repositories/{repo.pk}/edit/", {"url": "x"}).status_code == 200
    repo.refresh_from_db()
    assert repo.url == "https://git.example/svc"  # not the owner: refused, nothing changed
    download = manager.get("/secure-coding/policy/?download=yaml")
    assert download.content.decode() == default_policy_text()
