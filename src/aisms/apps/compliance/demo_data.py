# ruff: noqa: E501 - demo tables read best with one record of prose per line
"""Demo compliance records for Helixa Health: evidence for about 25 controls and a few clauses (some
expiring soon, one expired), the information security policy and four procedures with versions, four
objectives with six months of measurements, and the EU AI Act, GDPR and NIS2 with obligations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.compliance import regulation_services, services
from aisms.apps.compliance.models import Document, EvidenceItem, Regulation
from aisms.apps.context.models import PestelCategory, PestelIssue
from aisms.apps.risks.models import Risk

_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# (title, controls/clauses, owner, age in days, expires in days (None: never), file name or link)
EVIDENCE: list[tuple[str, tuple[str, ...], str, int, int | None, str]] = [
    (
        "Board minutes approving the policy set v3.2",
        ("5.1", "c5.1", "c5.2"),
        "amira",
        40,
        325,
        "board-minutes-2026.pdf",
    ),
    ("Security roles and RACI matrix", ("5.2", "5.3", "c5.3"), "amira", 90, None, "security-raci.csv"),
    (
        "Regulator contact list and breach-notification runbook",
        ("5.5", "5.24"),
        "amira",
        60,
        300,
        "https://wiki.helixa.example/isms/breach-runbook",
    ),
    ("Health-ISAC membership confirmation", ("5.6",), "daniel", 200, 20, "health-isac-membership.pdf"),
    ("Threat-intelligence feed review log (monthly)", ("5.7",), "daniel", 12, 75, "intel-review-log.md"),
    ("Asset inventory export from aisms", ("5.9",), "sofia", 10, 170, "asset-inventory.csv"),
    (
        "Acceptable-use acknowledgements (HR system)",
        ("5.10",),
        "amira",
        30,
        335,
        "https://hr.helixa.example/reports/aup-ack",
    ),
    ("Information classification scheme", ("5.12",), "amira", 120, None, "classification-scheme.pdf"),
    (
        "Quarterly access review of the claims platform",
        ("5.15", "5.18", "8.2"),
        "daniel",
        75,
        15,
        "access-review-q3.xlsx.csv",
    ),
    ("Supplier security assessments 2026", ("5.19", "5.20"), "daniel", 100, 265, "supplier-assessments.pdf"),
    (
        "Cloud provider ISO/IEC 27001 certificate",
        ("5.23",),
        "daniel",
        300,
        -12,
        "cloud-iso27001-certificate.pdf",
    ),
    (
        "Incident response exercise report (tabletop)",
        ("5.26", "5.27"),
        "amira",
        50,
        315,
        "tabletop-report.pdf",
    ),
    ("Business continuity test results", ("5.30",), "daniel", 150, 215, "bc-test-results.pdf"),
    (
        "Legal and regulatory requirements register",
        ("5.31",),
        "amira",
        20,
        345,
        "https://wiki.helixa.example/isms/legal-register",
    ),
    (
        "Data protection impact assessment: Triage Assistant",
        ("5.34",),
        "amira",
        80,
        285,
        "dpia-triage-assistant.pdf",
    ),
    (
        "Background screening procedure and sample checks",
        ("6.1",),
        "amira",
        110,
        None,
        "screening-sample.pdf",
    ),
    (
        "Security awareness completion report",
        ("6.3", "c7.2", "c7.3"),
        "amira",
        15,
        25,
        "awareness-completion.csv",
    ),
    ("Physical entry logs (office)", ("7.2",), "sofia", 25, 340, "entry-log-sample.csv"),
    ("MDM compliance report for laptops", ("8.1",), "sofia", 8, 82, "mdm-report.json"),
    ("MFA enforcement screenshot (identity provider)", ("8.5",), "sofia", 45, 320, "mfa-policy.png"),
    ("Vulnerability scan summary (patient portal)", ("8.8",), "sofia", 20, 10, "vuln-scan-summary.json"),
    ("Backup restore test", ("8.13",), "daniel", 35, 330, "restore-test.md"),
    (
        "Logging and monitoring dashboard",
        ("8.15", "8.16"),
        "sofia",
        5,
        85,
        "https://grafana.helixa.example/d/security",
    ),
    ("Secure SDLC checklist with SAST results", ("8.25", "8.28"), "sofia", 18, 165, "sast-results.sarif"),
    (
        "Prompt-injection test suite results for the Triage Assistant",
        ("8.29",),
        "sofia",
        6,
        84,
        "llm-injection-tests.json",
    ),
    ("Internal audit report 2026 (ISMS)", ("c9.2.1",), "tom", 95, None, "internal-audit-2026.pdf"),
    ("Risk assessment method and acceptance criteria", ("c6.1.2",), "daniel", 130, None, "risk-method.pdf"),
    ("ISMS process map", ("c4.4",), "amira", 140, None, "isms-process-map.png"),
]

DOCUMENTS: list[tuple[str, str, str, bool, str, tuple[str, ...], list[str], int]] = [
    # ref, title, type, is policy, owner, links, versions (texts), review offset of the version in force
    (
        "POL-01",
        "Information security policy",
        "policy",
        True,
        "amira",
        ("iso27001:2022:5.2", "iso27002:2022:5.1"),
        [
            "Helixa Health protects the confidentiality, integrity and availability of patient, claims and "
            "employee information. Management sets objectives each year and reviews them in the management review.",
            "Adds AI: every AI system has an owner, an impact assessment and is covered by the risk assessment; "
            "staff may use generative AI only under the AI acceptable-use policy.",
        ],
        300,
    ),
    (
        "POL-02",
        "AI acceptable-use policy",
        "policy",
        False,
        "amira",
        ("iso27002:2022:5.10", "iso27001:2022:7.3"),
        [
            "Staff may use approved AI assistants only. Never paste patient data, claims data or secrets into public AI tools."
        ],
        200,
    ),
    (
        "PRO-01",
        "Secure development procedure",
        "procedure",
        False,
        "sofia",
        ("iso27002:2022:8.25", "iso27002:2022:8.28", "iso27002:2022:8.29"),
        [
            "Threat-model every new feature, run SAST on every merge request, fix high findings before release.",
            "Adds LLM features: prompt-injection test suite, output filtering and human approval for actions.",
        ],
        150,
    ),
    (
        "PRO-02",
        "Supplier security procedure",
        "procedure",
        False,
        "daniel",
        ("iso27002:2022:5.19", "iso27002:2022:5.20", "iso27002:2022:5.21"),
        ["Assess suppliers before contract; tier them by data shared; reassess tier-1 suppliers yearly."],
        -20,
    ),
    (
        "PRO-03",
        "Incident response procedure",
        "procedure",
        False,
        "amira",
        ("iso27002:2022:5.24", "iso27002:2022:5.25", "iso27002:2022:5.26"),
        ["Triage, contain, notify (DPC within 72 h, NIS2 early warning within 24 h), recover, learn."],
        240,
    ),
]

# title, measure, unit, baseline, target, direction, due in days, owner, six monthly values
OBJECTIVES: list[tuple[str, str, str, int, int, str, int, str, list[int]]] = [
    (
        "Close high-level AI risks",
        "Open AI risks above appetite",
        "",
        6,
        1,
        "decrease",
        120,
        "daniel",
        [6, 6, 5, 4, 3, 3],
    ),
    (
        "Staff complete generative-AI training",
        "Share of staff with valid training",
        "%",
        20,
        95,
        "increase",
        60,
        "amira",
        [20, 35, 52, 64, 71, 78],
    ),
    (
        "Patch critical vulnerabilities fast",
        "Median days to patch a critical vulnerability",
        " d",
        21,
        7,
        "decrease",
        90,
        "sofia",
        [21, 18, 15, 12, 10, 9],
    ),
    (
        "Assess tier-1 suppliers",
        "Tier-1 suppliers assessed this year",
        "%",
        0,
        100,
        "increase",
        -10,
        "daniel",
        [0, 20, 40, 40, 60, 70],
    ),
]


def _upload_for(name: str, title: str) -> services.Upload | None:
    if name.startswith("https://"):
        return None
    ext = name.rsplit(".", 1)[-1]
    if ext == "pdf":
        content = _PDF
    elif ext == "png":
        content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    elif ext in ("json", "sarif"):
        content = (
            b'{"version": "2.1.0", "runs": []}' if ext == "sarif" else b'{"title": "' + title.encode() + b'"}'
        )
    else:
        content = f"{title}\nHelixa Health demo evidence\n".encode()
    return services.Upload(name.replace(".xlsx.csv", ".csv"), content)


def _uid(ref: str) -> str:
    return f"iso27001:2022:{ref[1:]}" if ref.startswith("c") else f"iso27002:2022:{ref}"


@transaction.atomic
def load_demo_compliance(actor: User) -> None:
    """Load once (does nothing when evidence exists)."""
    if EvidenceItem.objects.exists() or Document.objects.exists():
        return
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["amira", "daniel", "sofia", "tom"])}
    for title, refs, owner, age, expires_in, source in EVIDENCE:
        dated = today - timedelta(days=age)
        services.create_evidence(
            actor,
            title=title,
            evidence_date=dated,
            upload=_upload_for(source, title),
            url=source if source.startswith("https://") else "",
            owner=users.get(owner, actor),
            expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
            review_due=dated + timedelta(days=365),
            entry_uids=[_uid(r) for r in refs],
        )
    for ref, title, doc_type, is_policy, owner, links, texts, review_in in DOCUMENTS:
        document = services.create_document(
            actor,
            ref=ref,
            title=title,
            doc_type=doc_type,
            is_isms_policy=is_policy,
            owner=users.get(owner, actor),
            entry_uids=links,
            text=texts[0],
        )
        first = document.versions.get(number=1)
        services.approve_version(actor, first, next_review=today + timedelta(days=review_in))
        for text in texts[1:]:
            version = services.add_version(actor, document, text=text, change_summary="Annual update")
            services.approve_version(actor, version, next_review=today + timedelta(days=review_in))
    for title, measure, unit, baseline, target, direction, due_in, owner, values in OBJECTIVES:
        objective = services.create_objective(
            actor,
            title=title,
            measure=measure,
            unit=unit.strip(),
            baseline=Decimal(baseline),
            target=Decimal(target),
            direction=direction,
            due=today + timedelta(days=due_in),
            owner=users.get(owner, actor),
        )
        for months_ago, value in zip(range(5, -1, -1), values, strict=True):
            services.add_measurement(
                actor, objective, measured_on=_months_back(today, months_ago), value=Decimal(value)
            )
    _regulations(actor)


def _months_back(today: date, months: int) -> date:
    month = today.month - 1 - months
    year, month = today.year + month // 12, month % 12 + 1
    return date(year, month, min(today.day, 28))


def _regulations(actor: User) -> None:
    for issue in PestelIssue.objects.filter(category=PestelCategory.LEGAL):
        words = issue.title.lower()
        if ("ai act" in words or "gdpr" in words or "nis2" in words) and not Regulation.objects.filter(
            pestel_issue=issue
        ).exists():
            regulation_services.from_pestel_issue(actor, issue)
    for key in ("eu-ai-act", "gdpr", "nis2"):
        if not Regulation.objects.filter(key=key).exists():
            regulation_services.adopt_suggestion(actor, key)
    risks = {r.title: r for r in Risk.objects.all()}

    def like(word: str) -> list[Risk]:
        return [r for title, r in risks.items() if word.lower() in title.lower()]

    links = {
        "eu-ai-act": like("TalentLens") + like("Triage Assistant"),
        "gdpr": like("patient data") + like("Membership inference"),
        "nis2": like("vulnerabilities") + like("foundation-model supplier"),
    }
    for key, linked in links.items():
        regulation = Regulation.objects.filter(key=key).first()
        if regulation is None or not linked:
            continue
        first = regulation.obligations.order_by("position").first()
        if first is not None:
            first.risks.add(*linked)
    Regulation.objects.filter(key="eu-ai-act").update(
        applicability="Helixa builds and deploys AI: TalentLens screens CVs (high-risk, Annex III) and the "
        "Triage Assistant talks to patients (transparency duties)."
    )
