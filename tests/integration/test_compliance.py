"""Compliance services and reads on a real database: uploads (limits, type refusal, revisions kept),
status that follows evidence, expiry and nonconformities, clause checks, the regulatory register from
PESTEL, exposure, documents and the expiry job."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aisms.apps.audits.models import Nonconformity
from aisms.apps.compliance import regulation_services, selectors, services, storage
from aisms.apps.compliance.models import Document, EvidenceItem, EvidenceRevision, VersionStatus
from aisms.apps.compliance.tasks import send_expiry_notices
from aisms.apps.context.models import Organisation, PestelIssue
from aisms.apps.controls import services as soa_services
from aisms.apps.controls.selectors import implementation
from aisms.domain.compliance.status import ComplianceStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db
S = ComplianceStatus
PDF = b"%PDF-1.4\n%%EOF\n"
CONTROL = "iso27002:2022:8.9"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.AISMS_EVIDENCE_MAX_BYTES = 2000


@pytest.fixture
def manager():
    return make_user("isms_manager", username="amira-t")


def _implemented(actor, ref: str = "8.9") -> None:
    soa_services.ensure_rows()
    soa_services.update_row(
        actor,
        implementation(ref),
        implementation_status="implemented",
        applicable=True,
        justification="needed",
    )


def _status(uid: str, today=None):
    today = today or timezone.localdate()
    return next(r for r in selectors.control_statuses(today) if r.uid == uid)


def _files() -> list[Path]:
    root = storage.evidence_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_stores_the_file_with_its_hash_and_status_turns_compliant(manager) -> None:
    _implemented(manager)
    assert _status(CONTROL).status is S.GAP
    item = services.create_evidence(
        manager,
        title="CMDB baseline export",
        evidence_date=timezone.localdate(),
        upload=services.Upload("../baseline report.pdf", PDF),
        entry_uids=[CONTROL],
    )
    assert item.file_name == "baseline_report.pdf"
    assert len(item.sha256) == 64
    [stored] = _files()
    assert stored.read_bytes() == PDF
    assert stored.name.endswith("-baseline_report.pdf")
    row = _status(CONTROL)
    assert row.status is S.COMPLIANT
    assert row.evidence == {"current": 1, "expiring": 0, "expired": 0}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", b"%PDF-" + b"x" * 3000, "limit"),
        ("tool.exe", b"MZ\x90\x00", "not accepted"),
        ("report.pdf", b"<html><script>alert(1)</script>", "not a valid .pdf"),
    ],
)
def test_upload_refusals_change_nothing(manager, name: str, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        services.create_evidence(
            manager, title="x", evidence_date=timezone.localdate(), upload=services.Upload(name, content)
        )
    assert EvidenceItem.objects.count() == 0
    assert EvidenceRevision.objects.count() == 0
    assert _files() == []


def test_links_must_be_http_and_file_or_link_exactly(manager) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="http"):
        services.create_evidence(manager, title="x", evidence_date=today, url="javascript:alert(1)")
    with pytest.raises(ValidationError, match="either a file or a link"):
        services.create_evidence(manager, title="x", evidence_date=today)
    with pytest.raises(ValidationError, match="unknown clause or control"):
        services.create_evidence(
            manager, title="x", evidence_date=today, url="https://a.example", entry_uids=["x:y"]
        )
    assert EvidenceItem.objects.count() == 0


def test_revisions_keep_the_old_files(manager) -> None:
    item = services.create_evidence(
        manager, title="Pen test", evidence_date=timezone.localdate(), upload=services.Upload("a.pdf", PDF)
    )
    services.add_revision(manager, item, upload=services.Upload("b.txt", b"retest ok"), note="retest")
    services.add_revision(manager, item, url="https://reports.example/pt-3")
    item.refresh_from_db()
    assert [r.number for r in item.revisions.all()] == [3, 2, 1]
    assert item.kind == "link"
    assert item.url == "https://reports.example/pt-3"
    assert len(_files()) == 2
    first = item.revisions.get(number=1)
    assert storage.resolve(first.stored_path).read_bytes() == PDF


def test_status_follows_expiry_over_time(manager) -> None:
    _implemented(manager)
    today = timezone.localdate()
    services.create_evidence(
        manager,
        title="Config audit",
        evidence_date=today,
        url="https://wiki.example/config",
        expires_on=today + timedelta(days=40),
        entry_uids=[CONTROL],
    )
    assert _status(CONTROL, today).status is S.COMPLIANT
    assert _status(CONTROL, today + timedelta(days=15)).status is S.EXPIRING
    later = _status(CONTROL, today + timedelta(days=41))
    assert later.status is S.GAP
    assert "1 evidence item expired" in later.reasons


def test_open_nonconformities_from_audits_make_the_status_worse(manager) -> None:
    _implemented(manager)
    services.create_evidence(
        manager, title="x", evidence_date=timezone.localdate(), url="https://a.example", entry_uids=[CONTROL]
    )
    nc = Nonconformity.objects.create(ref="NC-T1", description="drift", control_uid=CONTROL, severity="minor")
    assert _status(CONTROL).status is S.PARTIAL
    nc.severity = "major"
    nc.save()
    assert _status(CONTROL).status is S.NONCONFORMING
    nc.status = "closed"
    nc.save()
    assert _status(CONTROL).status is S.COMPLIANT
    assert selectors.open_nonconformities() == {}


def test_clause_status_from_the_registers(manager) -> None:
    today = timezone.localdate()
    before = {r.ref: r for r in selectors.clause_statuses(today)}
    assert before["5.2"].status is S.GAP
    document = services.create_document(
        manager,
        ref="POL-1",
        title="IS policy",
        doc_type="policy",
        is_isms_policy=True,
        text="We protect data.",
    )
    services.approve_version(manager, document.versions.get(number=1))
    after = {r.ref: r for r in selectors.clause_statuses(today)}
    assert after["5.2"].status is S.COMPLIANT
    assert after["7.5.1"].status is S.COMPLIANT
    services.create_evidence(
        manager,
        title="Change log",
        evidence_date=today,
        url="https://a.example",
        entry_uids=["iso27001:2022:6.3"],
    )
    assert {r.ref: r for r in selectors.clause_statuses(today)}["6.3"].status is S.COMPLIANT


def test_document_versions_approval_and_single_policy(manager) -> None:
    document = services.create_document(manager, ref="PRO-1", title="IR", doc_type="procedure", text="v1")
    services.approve_version(manager, document.versions.get(number=1))
    v2 = services.add_version(manager, document, text="v2", change_summary="NIS2 deadlines")
    services.approve_version(manager, v2)
    statuses = dict(document.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.APPROVED}
    with pytest.raises(ValidationError, match="not a draft"):
        services.approve_version(manager, v2)
    services.create_document(
        manager, ref="POL-1", title="P", doc_type="policy", is_isms_policy=True, text="p"
    )
    with pytest.raises(ValidationError, match="already the information security policy"):
        services.create_document(
            manager, ref="POL-2", title="Q", doc_type="policy", is_isms_policy=True, text="q"
        )
    contributor = make_user("contributor")
    v3 = services.add_version(manager, document, text="v3")
    with pytest.raises(PermissionDenied):
        services.approve_version(contributor, v3)
    assert Document.objects.get(ref="PRO-1").versions.get(number=3).status == VersionStatus.DRAFT


def test_regulatory_register_from_a_legal_pestel_issue(manager) -> None:
    risk_owner = make_user("risk_owner")
    from aisms.apps.risks.models import Risk

    risk = Risk.objects.create(
        ref="R-900",
        title="CV screening bias",
        owner=risk_owner,
        inherent_likelihood=3,
        inherent_impact=4,
        inherent_level="high",
        current_likelihood=3,
        current_impact=4,
        current_level="high",
        target_likelihood=1,
        target_impact=2,
        target_level="low",
    )
    issue = PestelIssue.objects.create(
        category="legal", title="EU AI Act obligations by risk tier", effect="We deploy AI"
    )
    issue.risks.add(risk)
    regulation = regulation_services.from_pestel_issue(manager, issue)
    assert regulation.key == "eu-ai-act"
    assert regulation.pestel_issue == issue
    assert regulation.max_fixed_eur == Decimal("35000000.00")
    assert regulation.max_turnover_pct == Decimal("7.000")
    assert regulation.obligations.count() >= 5
    assert all(o.risks.filter(pk=risk.pk).exists() for o in regulation.obligations.all())
    assert regulation.obligations.filter(controls__uid="iso27002:2022:6.3").exists()
    with pytest.raises(ValidationError, match="already in the register"):
        regulation_services.from_pestel_issue(manager, issue)
    economic = PestelIssue.objects.create(category="economic", title="Funding")
    with pytest.raises(ValidationError, match="only legal"):
        regulation_services.from_pestel_issue(manager, economic)
    other = PestelIssue.objects.create(category="legal", title="Irish Health Act 2026")
    custom = regulation_services.from_pestel_issue(manager, other)
    assert custom.key == ""
    assert custom.short_name == "Irish Health Act 2026"


def test_exposure_uses_turnover_and_control_status(manager) -> None:
    Organisation.objects.create(name="Helixa", annual_turnover_eur=Decimal("1000000000"))
    regulation_services.adopt_suggestion(manager, "gdpr")
    [row] = selectors.exposure_rows(timezone.localdate())
    assert row.exposure.max_penalty_eur == pytest.approx(40_000_000)
    assert row.exposure.probability == pytest.approx(0.5)  # nothing implemented: every control is a gap
    assert row.exposure.expected_eur == pytest.approx(20_000_000)
    with pytest.raises(ValidationError, match="already in the register"):
        regulation_services.adopt_suggestion(manager, "gdpr")


def test_gap_analysis_puts_mandatory_clauses_first() -> None:
    rows = selectors.gap_analysis(timezone.localdate())
    assert rows[0].item.kind == "clause"
    kinds = [r.item.kind for r in rows]
    assert kinds.index("control") > kinds.index("clause")
    clause_refs = {r.item.ref for r in rows if r.item.kind == "clause"}
    assert not clause_refs & {"4", "5", "6", "6.1", "9.2"}  # parents roll up, they are not listed
    report = selectors.gap_report_rows(timezone.localdate())
    assert report[0]["rank"] == 1
    assert {"what_is_missing", "why_it_matters", "effect"} <= set(report[0])


def test_crosswalk_rolls_up_from_the_mapped_controls(manager) -> None:
    rows = {r.ref: r for r in selectors.crosswalk_status("iso42001", timezone.localdate())}
    assert rows["A.2.2"].result.status is S.GAP
    assert "iso27001:2022:5.2" in rows["A.2.2"].result.mapped
    nist = selectors.crosswalk_status("nist-ai-rmf", timezone.localdate())
    assert {r.ref for r in nist} >= {"GOVERN-1", "MEASURE-2"}
    with pytest.raises(ValueError, match="unknown framework"):
        selectors.crosswalk_status("cobit", timezone.localdate())


def test_expiry_job_notifies_owners_once(manager) -> None:
    today = timezone.localdate()
    owner = make_user("contributor", username="sofia-t", email="sofia@x.example")
    services.create_evidence(
        manager,
        title="Cert",
        evidence_date=today - timedelta(days=300),
        url="https://a.example",
        owner=owner,
        expires_on=today + timedelta(days=10),
    )
    services.create_evidence(
        manager,
        title="Old scan",
        evidence_date=today - timedelta(days=300),
        url="https://b.example",
        owner=owner,
        expires_on=today - timedelta(days=1),
    )
    services.create_evidence(
        manager,
        title="Fine",
        evidence_date=today,
        url="https://c.example",
        owner=owner,
        expires_on=today + timedelta(days=200),
    )
    document = services.create_document(manager, ref="PRO-9", title="Old", doc_type="procedure", text="x")
    services.approve_version(manager, document.versions.get(number=1), next_review=today - timedelta(days=3))
    assert send_expiry_notices(today) == {"expiring": 1, "expired": 1, "document_reviews": 1}
    assert send_expiry_notices(today) == {"expiring": 0, "expired": 0, "document_reviews": 0}
    from aisms.apps.accounts.models import Notification

    subjects = sorted(Notification.objects.filter(user=owner).values_list("subject", flat=True))
    assert subjects[0].startswith("Evidence expired on")
    from aisms.apps.jobs.models import Schedule

    assert Schedule.objects.filter(
        key="compliance.evidence_expiry", task_name="compliance.evidence_expiry"
    ).exists()


def test_contributor_edits_only_own_evidence(manager) -> None:
    sofia = make_user("contributor")
    tom = make_user("contributor")
    item = services.create_evidence(
        sofia, title="Mine", evidence_date=timezone.localdate(), url="https://a.example"
    )
    services.update_evidence(sofia, item, title="Mine, renamed")
    with pytest.raises(PermissionDenied):
        services.update_evidence(tom, item, title="stolen")
    with pytest.raises(PermissionDenied):
        services.add_revision(tom, item, url="https://evil.example")
    with pytest.raises(PermissionDenied):
        services.delete_evidence(sofia, item)
    item.refresh_from_db()
    assert item.title == "Mine, renamed"
    assert item.revisions.count() == 1


def test_cli_gaps_and_status_as_json(capsys) -> None:
    import json

    from aisms.cli import main

    assert main(["compliance", "gaps", "--json"]) == 0
    gaps = json.loads(capsys.readouterr().out)
    assert gaps[0]["rank"] == 1
    assert gaps[0]["kind"] == "clause"
    assert main(["compliance", "status", "--kind", "clause", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {r["ref"] for r in status} >= {"4", "9.3.3", "10.2"}
    assert main(["compliance", "notify-expiry", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"expiring": 0, "expired": 0, "document_reviews": 0}
