"""The demo organisation's suppliers (fictional): the foundation-model API behind the Triage Assistant, the
AI transcription service, the CV-screening tool, the cloud provider and the payroll provider; with their
certifications, contract clauses (some AI clauses missing), one scored assessment with findings, one sent
and still open, and one supplier overdue for review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.suppliers import assessments, services
from aisms.apps.suppliers.models import QuestionnaireTemplate, Supplier
from aisms.domain.suppliers.schedule import add_months

DEMO_BASE_URL = "http://127.0.0.1:8000"

# name -> fields, assets, children, clauses {key: (status, reference, hours)}, months since last review
SUPPLIERS: dict[str, dict[str, Any]] = {
    "Nimbus AI": {
        "fields": {
            "description": "Hosted foundation-model API behind the Triage Assistant (enterprise, EU region).",
            "website": "https://nimbus-ai.example",
            "tier": 1,
            "contact_name": "Lea Moreau",
            "contact_email": "trust@nimbus-ai.example",
            "contract_reference": "MSA-2024-017 + DPA",
            "uses_ai_on_our_data": True,
            "trains_on_our_data": "never",
            "model_providers": ["Nimbus AI (own foundation models)"],
            "processing_locations": "EU (Frankfurt), inference only",
            "storage_locations": "Not stored (zero data retention); abuse logs 30 days in the EU",
            "model_change_notification": "90 days' notice before a model version is retired; changelog",
            "ai_notes": "Zero data retention agreed for the Triage Assistant's API key.",
        },
        "owner": "daniel",
        "assets": ["Nimbus foundation model API", "Triage Assistant"],
        "start_months_ago": 20,
        "services": [("Foundation-model inference API", "service", "Chat completions and embeddings.")],
        "data": [("Patient symptom descriptions in prompts", "restricted", True, True)],
        "certifications": [("iso27001", 5), ("soc2_type2", 8), ("iso42001", 14)],
        "subprocessors": [("Hyperscale Cloud GmbH", "GPU hosting", "Germany", False)],
        "clauses": {
            "security_requirements": ("present", "MSA s.9", None),
            "confidentiality": ("present", "MSA s.11", None),
            "data_processing": ("present", "DPA", None),
            "data_location": ("present", "DPA annex 3", None),
            "incident_notification": ("present", "DPA s.8", 24),
            "right_to_audit": ("partial", "SOC 2 report only", None),
            "subprocessor_changes": ("present", "DPA s.6", None),
            "exit_and_return": ("present", "MSA s.15", None),
            "no_training_without_consent": ("present", "Enterprise terms s.3.2", None),
            "model_change_notice": ("partial", "Deprecation policy (web page, not contractual)", None),
            "ai_transparency": ("present", "Model cards", None),
        },
    },
    "Sonara Health": {
        "fields": {
            "description": "AI transcription of clinician-patient consultations; drafts the clinical note.",
            "tier": 1,
            "contact_name": "Pieter de Vries",
            "contact_email": "security@sonara.example",
            "contract_reference": "SaaS order form 2025-03",
            "uses_ai_on_our_data": True,
            "trains_on_our_data": "unknown",
            "model_providers": [
                "Own speech-to-text model",
                "A hosted LLM for summaries (provider not named)",
            ],
            "processing_locations": "EU (Amsterdam)",
            "storage_locations": "EU (Amsterdam); audio kept 30 days",
            "model_change_notification": "Release notes only",
            "ai_notes": "The contract is silent on training use; raised with the vendor.",
        },
        "owner": "daniel",
        "assets": ["Clinical notes transcription service"],
        "start_months_ago": 9,
        "services": [("Consultation transcription and note drafting", "service", "")],
        "data": [("Consultation audio and transcripts", "restricted", True, True)],
        "certifications": [("iso27001", 2)],
        "subprocessors": [("Unnamed LLM provider", "Summarisation", "Unknown", True)],
        "clauses": {
            "security_requirements": ("present", "Order form s.4", None),
            "confidentiality": ("present", "Terms s.10", None),
            "data_processing": ("present", "DPA", None),
            "data_location": ("present", "DPA annex 2", None),
            "incident_notification": ("present", "DPA s.9", 72),
            "right_to_audit": ("missing", "", None),
            "subprocessor_changes": ("partial", "Web page list only", None),
            "exit_and_return": ("present", "Terms s.14", None),
            "no_training_without_consent": ("missing", "", None),
            "model_change_notice": ("missing", "", None),
            "ai_transparency": ("partial", "", None),
        },
        "reviewed_months_ago": 5,
    },
    "TalentLens": {
        "fields": {
            "description": "CV screening and ranking SaaS used by HR.",
            "tier": 2,
            "contact_name": "Hannah Li",
            "contact_email": "privacy@talentlens.example",
            "contract_reference": "Subscription 2023-HR-04",
            "uses_ai_on_our_data": True,
            "trains_on_our_data": "opt_out",
            "model_providers": ["Own ranking model", "Hosted LLM for CV feature extraction"],
            "processing_locations": "EU (Paris)",
            "storage_locations": "EU (Paris)",
            "model_change_notification": "Not notified",
            "ai_notes": "Trains its ranking model on hiring outcomes unless the customer opts out; "
            "Helixa has not opted out yet. High-risk AI under the EU AI Act (employment).",
        },
        "owner": "amira",
        "assets": ["TalentLens CV screening"],
        "start_months_ago": 30,
        "services": [("Applicant screening and ranking", "service", "")],
        "data": [("CVs and cover letters of applicants", "confidential", True, False)],
        "certifications": [("soc2_type2", -1)],
        "subprocessors": [],
        "clauses": {
            "security_requirements": ("present", "Terms s.7", None),
            "confidentiality": ("present", "Terms s.9", None),
            "data_processing": ("present", "DPA", None),
            "incident_notification": ("present", "DPA s.5", 48),
            "no_training_without_consent": ("missing", "", None),
            "model_change_notice": ("missing", "", None),
        },
        "reviewed_months_ago": 14,
    },
    "Amazon Web Services": {
        "fields": {
            "description": "Cloud provider for Helixa's production platform (EKS, RDS, S3) in eu-west-1.",
            "tier": 1,
            "contact_name": "Account team",
            "contact_email": "helixa-account@aws.example",
            "contract_reference": "AWS Customer Agreement + DPA",
            "uses_ai_on_our_data": False,
            "trains_on_our_data": "never",
            "processing_locations": "EU (Ireland)",
            "storage_locations": "EU (Ireland), backups in EU (Frankfurt)",
        },
        "owner": "sofia",
        "assets": ["Helixa production Kubernetes cluster", "Patient portal"],
        "start_months_ago": 48,
        "services": [("Infrastructure and managed Kubernetes", "service", "")],
        "data": [("All production data (encrypted)", "restricted", True, True)],
        "certifications": [("iso27001", 10), ("soc2_type2", 4), ("c5", 7)],
        "subprocessors": [],
        "clauses": {
            "security_requirements": ("present", "Service terms", None),
            "confidentiality": ("present", "Customer agreement s.9", None),
            "data_processing": ("present", "DPA", None),
            "data_location": ("present", "Region choice", None),
            "incident_notification": ("present", "DPA s.10 (without undue delay)", 72),
            "right_to_audit": ("partial", "Artifact reports", None),
            "subprocessor_changes": ("present", "DPA s.7", None),
            "exit_and_return": ("present", "Customer agreement s.7", None),
        },
        "reviewed_months_ago": 4,
    },
    "PayFlow Payroll": {
        "fields": {
            "description": "Payroll processing for employees in Ireland and Portugal.",
            "tier": 2,
            "contact_name": "Conor Walsh",
            "contact_email": "security@payflow.example",
            "contract_reference": "PF-2022-118",
            "uses_ai_on_our_data": False,
            "trains_on_our_data": "never",
            "processing_locations": "Ireland",
            "storage_locations": "Ireland",
        },
        "owner": "amira",
        "assets": [],
        "start_months_ago": 40,
        "services": [("Payroll and payslips", "service", "")],
        "data": [("Employee salary and bank details", "confidential", True, False)],
        "certifications": [("iso27001", 1)],
        "subprocessors": [("PrintPost Ltd", "Printed payslips", "Ireland", False)],
        "clauses": {
            "security_requirements": ("present", "Contract s.6", None),
            "confidentiality": ("present", "Contract s.8", None),
            "data_processing": ("present", "DPA", None),
            "data_location": ("present", "DPA", None),
            "incident_notification": ("present", "DPA s.4", 48),
            "right_to_audit": ("present", "Contract s.12", None),
            "subprocessor_changes": ("present", "DPA s.5", None),
            "exit_and_return": ("present", "Contract s.15", None),
        },
        "reviewed_months_ago": 6,
    },
}

NIMBUS_ANSWERS = {
    "uses_ai_on_our_data": "yes",
    "ai_features": "Chat completions and embeddings behind the customer's own application.",
    "ai_optional": "yes",
    "trains_on_our_data": "never",
    "model_providers": ["own_models"],
    "model_providers_named": "Our own foundation models, hosted on our GPU sub-processor in Germany.",
    "ai_processing_location": "eea",
    "model_change_notice": "release_notes",
    "human_oversight": "customer_configures",
    "model_evaluation": "yes",
    "ai_incidents": "48",
    "ai_policy": "yes",
    "ai_certification": ["iso42001"],
    "eu_ai_act_role": "provider",
    "high_risk_ai": "not_high_risk",
}


def _add_children(supplier: Supplier, spec: dict[str, Any], today: date) -> None:
    for name, kind, description in spec["services"]:
        services.add_child(None, supplier, "services", name=name, kind=kind, description=description)
    for category, classification, personal, special in spec["data"]:
        services.add_child(
            None,
            supplier,
            "data",
            category=category,
            classification=classification,
            personal_data=personal,
            special_category=special,
        )
    for kind, months in spec["certifications"]:
        expires = today + timedelta(days=30 * months)
        services.add_child(
            None,
            supplier,
            "certifications",
            kind=kind,
            issued_on=add_months(expires, -36) if kind.startswith("iso") else add_months(expires, -12),
            expires_on=expires,
            evidence="Certificate on file" if kind.startswith("iso") else "Report on file (under NDA)",
        )
    for name, purpose, location, uses_ai in spec["subprocessors"]:
        services.add_child(
            None, supplier, "subprocessors", name=name, purpose=purpose, location=location, uses_ai=uses_ai
        )
    for key, (status, reference, hours) in spec["clauses"].items():
        services.set_clause(None, supplier, key, status=status, reference=reference, notification_hours=hours)


def load_demo_suppliers(actor: User) -> int:
    """Add the demo suppliers not there yet (by name), the starter questionnaires and the demo assessments;
    returns how many suppliers were added."""
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.all()}
    assets = {a.name: a for a in Asset.objects.all()}
    assessments.adopt_starter_templates(None)
    existing = set(Supplier.objects.values_list("name", flat=True))
    added = 0
    for name, spec in SUPPLIERS.items():
        if name in existing:
            continue
        supplier = services.create_supplier(
            None,
            name=name,
            owner=users.get(spec["owner"]),
            contract_start=add_months(today, -spec["start_months_ago"]),
            contract_end=add_months(today, 36 - spec["start_months_ago"] % 36),
            onboarded_on=add_months(today, -spec["start_months_ago"]),
            assets=[assets[a] for a in spec["assets"] if a in assets],
            **spec["fields"],
        )
        _add_children(supplier, spec, today)
        if "reviewed_months_ago" in spec:
            services.mark_reviewed(None, supplier, add_months(today, -spec["reviewed_months_ago"]))
        added += 1
    if added:
        _demo_assessments(actor, today)
    return added


def _demo_assessments(actor: User, today: date) -> None:
    ai = QuestionnaireTemplate.objects.get(key="ai_usage_governance").latest
    assert ai is not None  # noqa: S101 - adopted just above
    nimbus = Supplier.objects.get(name="Nimbus AI")
    sent = assessments.send_assessment(
        actor,
        nimbus,
        ai,
        contact_name="Lea Moreau",
        contact_email="trust@nimbus-ai.example",
        due_date=today - timedelta(days=10),
        base_url=DEMO_BASE_URL,
        email=False,
    )
    problems = assessments.save_answers(sent.assessment, NIMBUS_ANSWERS, {}, submit=True, now=timezone.now())
    if problems:
        raise RuntimeError(f"demo answers do not fit the questionnaire: {problems}")
    scored = assessments.score_assessment(
        actor,
        sent.assessment,
        rating="conditions",
        comments="Strong on training and data location; model changes are announced only in release notes.",
    )
    assessments.raise_finding(
        actor,
        nimbus,
        assessment=scored,
        question_id="model_change_notice",
        title="Model changes are announced only in public release notes",
        description="Ask for contractual advance notice of model changes that affect the Triage Assistant, "
        "so that its clinical safety evaluation can be repeated first.",
        severity="medium",
    )
    assessments.raise_finding(
        actor,
        nimbus,
        assessment=scored,
        question_id="ai_incidents",
        title="AI incidents notified within 48 hours, tier 1 needs 24",
        severity="low",
    )
    sonara = Supplier.objects.get(name="Sonara Health")
    assessments.send_assessment(
        actor,
        sonara,
        ai,
        contact_name="Pieter de Vries",
        contact_email="security@sonara.example",
        due_date=today + timedelta(days=10),
        base_url=DEMO_BASE_URL,
        email=False,
    )
