"""The demo organisation's risk register: Helixa Health's AI and information security risks (fictional)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks import quantification, services
from aisms.apps.risks.models import ActionStatus, Risk

S = services.Scores


def _lognormal(low: float, high: float) -> dict[str, Any]:
    return {"low": low, "high": high, "distribution": "lognormal"}


def _pert(low: float, most_likely: float, high: float) -> dict[str, Any]:
    return {"low": low, "most_likely": most_likely, "high": high, "distribution": "pert"}


# title, threat uid (or None + custom), assets, owner, scores, fields, actions, FAIR inputs, acceptance
RISKS: list[dict[str, Any]] = [
    {
        "title": "Prompt injection in patient messages makes the Triage Assistant leak or mis-triage",
        "threat": "atlas:AML.T0051",
        "assets": ["Triage Assistant", "Triage system prompt and configuration"],
        "owner": "daniel",
        "scores": S((4, 5), (3, 4), (2, 3)),
        "vulnerability": "Patient text and retrieved guideline passages reach the model in one context; "
        "the model can book call-back slots.",
        "consequences": "Wrong urgency advice to a patient, disclosure of other patients' data, regulatory "
        "notification under the GDPR and the medical device rules.",
        "actions": [
            (
                "Separate system instructions from patient and retrieved text; strip markup",
                ["8.28", "8.26"],
                30,
                "in_progress",
            ),
            (
                "Red-team the assistant with direct and indirect injection before each release",
                ["8.29"],
                -10,
                "planned",
            ),
            ("Alert on unusual tool calls and urgency downgrades", ["8.16"], 60, "planned"),
        ],
        "fair": {
            "tef": _pert(2, 6, 20),
            "vulnerability": _pert(0.02, 0.08, 0.2),
            "primary_loss": _lognormal(40_000, 600_000),
            "secondary_loss_probability": _pert(0.2, 0.4, 0.7),
            "secondary_loss": _lognormal(150_000, 4_000_000),
        },
    },
    {
        "title": "Poisoned claims data teaches ClaimGuard to wave through a fraud pattern",
        "threat": "atlas:AML.T0020",
        "assets": ["ClaimGuard training data set", "ClaimGuard fraud model"],
        "owner": "daniel",
        "scores": S((3, 4), (3, 3), (2, 3)),
        "vulnerability": "Insurers' historical claims are used for retraining without provenance checks.",
        "consequences": "Undetected fraud paid out by insurer customers; contractual penalties.",
        "actions": [
            (
                "Record provenance of each training batch and reject unsigned batches",
                ["8.25", "5.21"],
                45,
                "planned",
            ),
            (
                "Compare each retrained model with a holdout of known fraud before release",
                ["8.29"],
                20,
                "in_progress",
            ),
        ],
        "fair": {"lef": _pert(0.05, 0.2, 0.6), "primary_loss": _pert(100_000, 350_000, 2_500_000)},
    },
    {
        "title": "Membership inference reveals which patients' claims trained ClaimGuard",
        "threat": "owasp-ml:2023:ML04",
        "assets": ["ClaimGuard fraud model"],
        "owner": "sofia",
        "scores": S((2, 4), (2, 3), (1, 3)),
        "consequences": "Disclosure of health insurance claims (special category data).",
        "actions": [("Limit score precision and rate of queries per client", ["8.3", "8.12"], 90, "planned")],
    },
    {
        "title": "Model theft of ClaimGuard through the scoring API",
        "threat": "owasp-ml:2023:ML05",
        "assets": ["ClaimGuard fraud model", "Claims platform"],
        "owner": "daniel",
        "scores": S((3, 3), (2, 3), (2, 2)),
        "actions": [
            ("Per-client query quotas and anomaly alerts on the scoring API", ["8.16", "8.20"], 40, "done")
        ],
        "fair": {
            "tef": _pert(0.5, 1, 4),
            "vulnerability": _pert(0.05, 0.15, 0.3),
            "primary_loss": _lognormal(200_000, 3_000_000),
        },
    },
    {
        "title": "The foundation-model supplier changes or retrains its model without notice",
        "threat": "owasp-llm:2025:LLM03",
        "assets": ["Nimbus foundation model API", "Triage Assistant"],
        "owner": "amira",
        "scores": S((4, 4), (3, 4), (2, 3)),
        "vulnerability": "The contract has no clause on notice of model changes; no regression suite.",
        "actions": [
            (
                "Add model-change notice and no-training-on-our-data clauses to the Nimbus contract",
                ["5.20", "5.21"],
                -20,
                "in_progress",
            ),
            (
                "Pin the model version and run the clinical regression suite on every change",
                ["8.32", "8.29"],
                30,
                "planned",
            ),
        ],
        "fair": {"lef": _pert(0.3, 1, 3), "primary_loss": _lognormal(20_000, 400_000)},
    },
    {
        "title": "Poisoned guideline documents in the vector store steer triage advice",
        "threat": "atlas:AML.T0070",
        "assets": ["Clinical guideline vector store"],
        "owner": "sofia",
        "scores": S((2, 5), (2, 4), (1, 4)),
        "actions": [
            (
                "Only signed guideline sources may be indexed; review changes weekly",
                ["8.25", "5.37"],
                15,
                "planned",
            )
        ],
    },
    {
        "title": "Staff paste patient data into public generative AI chat tools",
        "threat": "owasp-llm:2025:LLM02",
        "assets": ["Staff generative AI chat"],
        "owner": "amira",
        "scores": S((4, 4), (3, 3), (2, 3)),
        "actions": [
            (
                "Acceptable-use rules for generative AI and yearly training",
                ["5.10", "6.3"],
                -5,
                "in_progress",
            ),
            (
                "Block unapproved AI chat domains; allow the enterprise tenant",
                ["8.23", "8.12"],
                25,
                "planned",
            ),
        ],
        "fair": {
            "tef": _pert(5, 20, 60),
            "vulnerability": _pert(0.01, 0.03, 0.1),
            "primary_loss": _lognormal(5_000, 150_000),
        },
    },
    {
        "title": "AI coding assistants suggest vulnerable code or leak secrets from the repository",
        "threat": None,
        "custom_threat": "Insecure or secret-leaking suggestions from AI coding assistants",
        "assets": ["AI coding assistants", "Patient portal"],
        "owner": "sofia",
        "scores": S((3, 3), (2, 3), (2, 2)),
        "actions": [
            ("Mandatory review of AI-generated code; secret scanning in CI", ["8.28", "8.4"], 10, "done")
        ],
    },
    {
        "title": "TalentLens CV screening discriminates against candidates (high-risk AI, EU AI Act)",
        "threat": "owasp-llm:2025:LLM09",
        "assets": ["TalentLens CV screening"],
        "owner": "amira",
        "scores": S((3, 4), (3, 4), (2, 3)),
        "actions": [
            (
                "Bias audit of TalentLens results and human review of every rejection",
                ["5.34", "5.31"],
                60,
                "planned",
            )
        ],
    },
    {
        "title": "Known vulnerabilities in the patient portal's web stack are exploited",
        "threat": None,
        "custom_threat": "Exploitation of a known vulnerability (CVE) in nginx, Django or PostgreSQL",
        "assets": ["Patient portal"],
        "owner": "daniel",
        "scores": S((3, 4), (2, 4), (1, 4)),
        "actions": [
            ("Patch within 14 days of a critical CVE; weekly dependency scan", ["8.8", "8.19"], 7, "done")
        ],
        "accept": "Residual risk within appetite: monthly patching and WAF in place.",
    },
]


@transaction.atomic
def load_demo_risks(actor: User) -> int:
    """Add the demo risks (once); returns how many were added."""
    if Risk.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.all()}
    assets = {a.name: a for a in Asset.objects.all()}
    controls = {c.ref: c for c in CatalogueEntry.objects.filter(source__key="iso27002")}
    today = timezone.localdate()
    now = timezone.now()
    for index, spec in enumerate(RISKS):
        threat = CatalogueEntry.objects.get(uid=spec["threat"]) if spec.get("threat") else None
        owner = users.get(spec["owner"])
        risk = services.create_risk(
            actor,
            title=spec["title"],
            scores=spec["scores"],
            assets=[assets[name] for name in spec["assets"] if name in assets],
            threat=threat,
            custom_threat=spec.get("custom_threat", ""),
            owner=owner,
            vulnerability=spec.get("vulnerability", ""),
            consequences=spec.get("consequences", ""),
            review_date=today + dt.timedelta(days=180),
        )
        # The register grew over the last half year: spread when each risk was identified.
        identified = now - dt.timedelta(days=170 - 15 * index)
        Risk.objects.filter(pk=risk.pk).update(created_at=identified)
        risk.created_at = identified
        for title, refs, due_in, status in spec.get("actions", []):
            action = services.add_action(
                actor,
                risk,
                title=title,
                controls=[controls[r] for r in refs],
                owner=owner,
                due_date=today + dt.timedelta(days=due_in),
            )
            if status != ActionStatus.PLANNED:
                services.update_action(actor, action, status=status)
        if spec.get("fair"):
            quantification.set_quantification(actor, risk, spec["fair"])
        if spec.get("accept") and owner is not None:
            services.accept_risk(owner, risk, justification=spec["accept"])
    return len(RISKS)
