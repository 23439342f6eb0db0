"""The demo organisation's context: Helixa Health's PESTEL issues, interested parties and ISMS scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.context import services
from aisms.apps.context.models import PartyKind, PestelIssue
from aisms.apps.risks.models import Risk

# template id, edits, linked risk refs, next review (days from today; negative = overdue)
ISSUES: list[tuple[str, dict[str, Any], list[str], int]] = [
    (
        "eu-ai-act-obligations",
        {
            "effect": "The Triage Assistant is likely high-risk AI (a medical device component) and "
            "TalentLens (HR hiring) is high-risk too: Helixa needs risk management, logging, human "
            "oversight and technical documentation for both, and deployer duties for TalentLens.",
        },
        ["R-009", "R-001"],
        20,
    ),
    ("automated-decisions-data-protection", {}, ["R-009"], 90),
    (
        "generative-ai-staff-use",
        {
            "description": "Clinicians and support staff have been seen pasting patient messages into public "
            "chat assistants to draft replies; engineers use AI coding assistants daily.",
        },
        ["R-007", "R-008"],
        -5,
    ),
    ("ai-enabled-attackers", {}, ["R-010"], 60),
    ("deepfake-social-engineering", {"origin": "external"}, [], 120),
    (
        "ai-supply-chain-dependence",
        {"title": "Dependence on one hosted foundation-model provider for the Triage Assistant"},
        ["R-005"],
        -12,
    ),
    ("nis2-directive", {"trend": "rising"}, [], 150),
    ("security-skills-shortage", {}, [], 200),
    ("climate-events-data-centres", {}, [], 240),
    ("customer-security-expectations", {}, [], 180),
    ("geopolitical-sanctions", {"trend": "stable"}, [], 100),
    ("remote-and-hybrid-work", {"trend": "falling"}, [], 210),
]

PARTIES: list[tuple[str, str, str, list[tuple[str, bool, str]]]] = [
    (
        "Health Products Regulatory Authority (HPRA)",
        PartyKind.REGULATOR,
        "Irish authority for medical devices; the Triage Assistant is software as a medical device.",
        [
            (
                "Post-market surveillance and vigilance reporting for the Triage Assistant",
                True,
                "Incident procedure routes safety incidents to the regulatory lead within 24 hours.",
            ),
            ("Cybersecurity of the device across its life cycle (MDR Annex I)", False, ""),
        ],
    ),
    (
        "Data Protection Commission",
        PartyKind.REGULATOR,
        "Lead supervisory authority under the GDPR.",
        [
            (
                "Personal data breaches notified within 72 hours",
                True,
                "Breach response runbook with the DPO on call; tested twice a year.",
            ),
            (
                "DPIA for each AI system processing health data",
                True,
                "DPIA template in the AI change process.",
            ),
        ],
    ),
    (
        "Partner clinics",
        PartyKind.CUSTOMER,
        "Clinics that offer the Triage Assistant to their patients.",
        [
            ("Triage service available 99.9% in clinic hours", True, "Multi-zone hosting, tested failover."),
            ("Evidence of ISO/IEC 27001 certification", True, "Certificate shared in the trust portal."),
        ],
    ),
    (
        "Health insurers",
        PartyKind.CUSTOMER,
        "Insurers using the ClaimGuard platform.",
        [
            ("Annual security questionnaire and penetration test summary", True, "Yearly external test."),
            ("Explanation of fraud scores used against their members", False, ""),
        ],
    ),
    (
        "Patients",
        PartyKind.DATA_SUBJECT,
        "About 1.2 million patients whose data Helixa processes.",
        [
            ("Confidentiality of their health data", True, "Encryption, access control and logging (SoA)."),
            ("A human to contest automated triage outcomes", False, ""),
        ],
    ),
    (
        "Staff",
        PartyKind.STAFF,
        "About 420 employees in Dublin and Lisbon.",
        [
            ("Clear rules for using AI tools at work", True, "Acceptable-use policy for generative AI."),
        ],
    ),
    (
        "Nimbus AI",
        PartyKind.AI_PROVIDER,
        "Hosts the foundation model behind the Triage Assistant.",
        [
            (
                "Customers follow the acceptable-use policy of the model API",
                True,
                "Usage reviewed in the supplier review; prompts filtered.",
            ),
        ],
    ),
]

SCOPE: dict[str, Any] = {
    "statement": "The ISMS covers the design, development, operation and support of Helixa Health's "
    "Triage Assistant and ClaimGuard platforms, including the AI models they use, the cloud platform "
    "they run on, and the people and offices in Dublin and Lisbon that support them.",
    "in_scope": [
        {"item": "Triage Assistant", "reason": "Core patient-facing service; high-risk AI."},
        {"item": "ClaimGuard platform and fraud model", "reason": "Processes insurers' claims data."},
        {"item": "Cloud platform (EU regions)", "reason": "Hosts both services and their data."},
        {"item": "Dublin and Lisbon offices", "reason": "Staff who build and run the services."},
    ],
    "out_of_scope": [
        {"item": "Corporate marketing website", "reason": "Hosted by an agency; holds no customer data."},
        {"item": "Research sandbox", "reason": "Synthetic data only; isolated network."},
    ],
    "interfaces": "Clinics' patient portals (customer systems, embedding the Triage Assistant)\n"
    "Insurers' claims feeds (SFTP and API)\n"
    "Staff using generative AI chat tools under the acceptable-use policy",
    "dependencies": "Nimbus AI foundation-model API (supplier; the Triage Assistant needs it to answer)\n"
    "Cloud platform provider (EU regions; hosting, key management)\nPayroll provider (HR data)",
}


def load_demo_context(actor: User) -> int:
    """Add the demo context (once); returns how many PESTEL issues were added."""
    if PestelIssue.objects.exists():
        return 0
    risks = {r.ref: r for r in Risk.objects.all()}
    today = timezone.localdate()
    for template_id, edits, refs, review_in in ISSUES:
        issue = services.adopt_template(actor, template_id, today=today)
        services.update_issue(
            actor,
            issue,
            risks=[risks[ref] for ref in refs if ref in risks],
            review_date=today + dt.timedelta(days=review_in),
            **edits,
        )
    for name, kind, description, requirements in PARTIES:
        party = services.create_party(actor, name=name, kind=kind, description=description)
        for text, addressed, how in requirements:
            services.add_requirement(actor, party, requirement=text, addressed=addressed, how_addressed=how)
    services.update_scope(actor, **SCOPE)
    services.approve_scope(actor, notes="First approved scope.")
    return len(ISSUES)
