"""The demo organisation's asset inventory: Helixa Health's systems, data and AI assets (fictional)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.assets import services
from aisms.apps.assets.models import Asset

EKS = "Helixa production Kubernetes cluster"
NIMBUS = "Nimbus foundation model API"
PYTHON = ("Python Software Foundation", "Python", "3.11.6", "cpe:2.3:a:python:python:3.11.6:*:*:*:*:*:*:*")
POSTGRES = ("PostgreSQL", "PostgreSQL", "15.4", "cpe:2.3:a:postgresql:postgresql:15.4:*:*:*:*:*:*:*")

# name -> fields; "owner" is a demo user name, "depends_on" names other demo assets,
# "components" are (vendor, product, version, CPE 2.3 name where known).
ASSETS: dict[str, dict[str, Any]] = {
    "Triage Assistant": {
        "kind": "ai_system",
        "owner": "daniel",
        "description": "Patient-facing chat that asks about symptoms and suggests an urgency level to "
        "the clinic. Sold to clinics as software as a medical device (class IIa).",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "very_high",
        "availability": "high",
        "hosting": "AWS eu-west-1 (Dublin), EKS",
        "ai_purpose": "Asks patients about their symptoms and suggests an urgency level (emergency, "
        "same day, routine, self-care) with its reasons, for a clinician to confirm. Can book a "
        "call-back slot.",
        "model_type": "LLM application with retrieval-augmented generation (hosted foundation model)",
        "data_sources": "Patients' chat messages; clinical guidelines from the guideline vector store; "
        "the triage system prompt and configuration.",
        "deployment": "Web and mobile chat inside the patient portal; containers on the production cluster",
        "learns_from_user_data": False,
        "processes_personal_data": True,
        "reads_untrusted_content": True,
        "can_act": True,
        "publicly_exposed": True,
        "eu_ai_act_tier": "eu-ai-act:2024:high",
        "depends_on": [
            NIMBUS,
            "Clinical guideline vector store",
            "Triage system prompt and configuration",
            EKS,
            "Clinical data warehouse",
        ],
        "components": [
            ("LangChain", "langchain", "0.2.16", "cpe:2.3:a:langchain:langchain:0.2.16:*:*:*:*:*:*:*"),
            PYTHON,
        ],
    },
    NIMBUS: {
        "kind": "ai_service",
        "owner": "daniel",
        "description": "Hosted large language model behind the Triage Assistant, under a data processing "
        "agreement with zero data retention.",
        "classification": "confidential",
        "confidentiality": "very_high",
        "integrity": "high",
        "availability": "high",
        "hosting": "Nimbus AI EU region (Frankfurt)",
        "supplier": "Nimbus AI",
        "ai_purpose": "Generates the Triage Assistant's questions and urgency suggestions.",
        "model_type": "General-purpose LLM (hosted API)",
        "data_sources": "Prompts built from patient messages and retrieved guidelines. Nimbus AI trains on "
        "public web data and licensed corpora (per its model card).",
        "deployment": "SaaS API over AWS PrivateLink",
        "learns_from_user_data": False,
        "processes_personal_data": True,
        "reads_untrusted_content": True,
        "can_act": False,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:gpai",
    },
    "Clinical guideline vector store": {
        "kind": "vector_store",
        "owner": "sofia",
        "description": "Embeddings of the clinical guidelines the Triage Assistant retrieves to ground "
        "its answers.",
        "classification": "internal",
        "confidentiality": "low",
        "integrity": "very_high",
        "availability": "high",
        "hosting": "AWS eu-west-1, RDS for PostgreSQL",
        "ai_purpose": "Retrieval index for grounding triage answers in approved guidelines.",
        "model_type": "Embedding index (1,536-dimension text embeddings)",
        "data_sources": "HSE and NICE clinical guidelines and Helixa's triage protocols, approved by the "
        "clinical safety officer and re-indexed monthly.",
        "deployment": "pgvector on a managed PostgreSQL instance",
        "learns_from_user_data": False,
        "processes_personal_data": False,
        "reads_untrusted_content": False,
        "can_act": False,
        "publicly_exposed": False,
        "components": [POSTGRES, ("pgvector", "pgvector", "0.5.1", "")],
    },
    "Triage system prompt and configuration": {
        "kind": "information",
        "owner": "daniel",
        "description": "System prompt, safety rules, urgency thresholds and tool definitions of the Triage "
        "Assistant. Changes need the clinical safety officer's review.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "very_high",
        "availability": "medium",
        "hosting": "GitLab (self-managed), eu-west-1",
    },
    "Patient portal": {
        "kind": "application",
        "owner": "sofia",
        "description": "Web and mobile portal where patients sign in, chat with the Triage Assistant and see "
        "their triage history.",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "high",
        "availability": "high",
        "hosting": "AWS eu-west-1 (Dublin), EKS",
        "processes_personal_data": True,
        "publicly_exposed": True,
        "depends_on": ["Triage Assistant", EKS],
        "components": [
            ("nginx", "nginx", "1.24.0", "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"),
            POSTGRES,
            (
                "Django Software Foundation",
                "Django",
                "4.2.7",
                "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*",
            ),
            PYTHON,
        ],
    },
    EKS: {
        "kind": "infrastructure",
        "owner": "sofia",
        "description": "Managed Kubernetes cluster running Helixa's production services.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "high",
        "availability": "very_high",
        "hosting": "AWS eu-west-1 (Dublin), three availability zones",
        "supplier": "Amazon Web Services",
        "components": [
            ("Kubernetes", "Kubernetes", "1.28.4", "cpe:2.3:a:kubernetes:kubernetes:1.28.4:*:*:*:*:*:*:*"),
        ],
    },
    "Clinical data warehouse": {
        "kind": "information",
        "owner": "amira",
        "description": "Pseudonymised triage outcomes and clinical follow-up, used to monitor the Triage "
        "Assistant's safety (post-market monitoring) and for product analytics.",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "high",
        "availability": "medium",
        "hosting": "Snowflake (AWS eu-west-1)",
        "supplier": "Snowflake",
        "processes_personal_data": True,
    },
    "ClaimGuard fraud model": {
        "kind": "model",
        "owner": "daniel",
        "description": "Scores health-insurance claims for fraud so that insurers' investigators review the "
        "riskiest first.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "very_high",
        "availability": "medium",
        "hosting": "AWS eu-west-1, SageMaker endpoint",
        "ai_purpose": "Ranks incoming claims by fraud likelihood; an investigator decides on every flagged "
        "claim (no automatic refusal).",
        "model_type": "Gradient-boosted trees (XGBoost), 212 features",
        "data_sources": "The ClaimGuard training data set; at run time, claims submitted by insurers.",
        "deployment": "Real-time scoring API called by the claims platform; retrained monthly",
        "learns_from_user_data": True,
        "processes_personal_data": True,
        "reads_untrusted_content": False,
        "can_act": False,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:minimal",
        "depends_on": [
            "ClaimGuard training pipeline",
            "ClaimGuard training data set",
            "MLflow model registry",
        ],
        "components": [("XGBoost contributors", "xgboost", "2.0.3", ""), PYTHON],
    },
    "ClaimGuard training data set": {
        "kind": "dataset",
        "owner": "sofia",
        "description": "Five years of historical claims from three partner insurers with confirmed fraud "
        "labels, pseudonymised before training.",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "very_high",
        "availability": "low",
        "hosting": "AWS eu-west-1, S3 with SSE-KMS",
        "ai_purpose": "Training and evaluation data of the ClaimGuard fraud model.",
        "data_sources": "Claims exports from partner insurers (data processing agreements in place); fraud "
        "labels from the insurers' investigation outcomes.",
        "deployment": "Versioned snapshots, one per retraining run",
        "learns_from_user_data": True,
        "processes_personal_data": True,
        "reads_untrusted_content": False,
        "can_act": False,
        "publicly_exposed": False,
    },
    "ClaimGuard training pipeline": {
        "kind": "ml_pipeline",
        "owner": "sofia",
        "description": "Monthly retraining: validates the new data snapshot, trains, evaluates against the "
        "fairness and accuracy gates, and registers the candidate model.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "very_high",
        "availability": "medium",
        "hosting": "AWS eu-west-1, EKS",
        "ai_purpose": "Retrains and evaluates the ClaimGuard fraud model.",
        "deployment": "Apache Airflow DAG on the production cluster",
        "learns_from_user_data": True,
        "processes_personal_data": True,
        "can_act": True,
        "publicly_exposed": False,
        "depends_on": ["ClaimGuard training data set", "MLflow model registry", EKS],
        "components": [
            (
                "Apache Software Foundation",
                "Airflow",
                "2.7.3",
                "cpe:2.3:a:apache:airflow:2.7.3:*:*:*:*:*:*:*",
            ),
            PYTHON,
        ],
    },
    "MLflow model registry": {
        "kind": "ml_pipeline",
        "owner": "sofia",
        "description": "Model registry and experiment tracking: every ClaimGuard model version with its "
        "training data snapshot, metrics and approval.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "very_high",
        "availability": "medium",
        "hosting": "AWS eu-west-1, EKS",
        "ai_purpose": "Keeps model versions, lineage and approvals.",
        "deployment": "Self-hosted MLflow server",
        "publicly_exposed": False,
        "depends_on": [EKS],
        "components": [
            ("LF Projects", "MLflow", "2.9.2", "cpe:2.3:a:lfprojects:mlflow:2.9.2:*:*:*:*:*:*:*"),
            POSTGRES,
        ],
    },
    "Claims platform": {
        "kind": "application",
        "owner": "daniel",
        "description": "Web platform where insurers submit and investigate health-insurance claims.",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "very_high",
        "availability": "high",
        "hosting": "AWS eu-west-1 (Dublin), EKS",
        "processes_personal_data": True,
        "publicly_exposed": True,
        "depends_on": ["ClaimGuard fraud model", EKS],
        "components": [
            ("nginx", "nginx", "1.24.0", "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"),
            (
                "Django Software Foundation",
                "Django",
                "4.2.7",
                "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*",
            ),
        ],
    },
    "Clinical notes transcription service": {
        "kind": "ai_service",
        "owner": "daniel",
        "description": "Transcribes clinician-patient video consultations and drafts the clinical note.",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "high",
        "availability": "medium",
        "hosting": "Vendor cloud, EU (Amsterdam)",
        "supplier": "Sonara Health",
        "ai_purpose": "Drafts clinical notes from consultation audio; the clinician edits and signs "
        "each note.",
        "model_type": "Speech-to-text and LLM summarisation (SaaS)",
        "data_sources": "Consultation audio; the vendor's contract is silent on training use (under review).",
        "deployment": "SaaS, integrated into the video consultation tool",
        "processes_personal_data": True,
        "reads_untrusted_content": True,
        "can_act": False,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:limited",
    },
    "TalentLens CV screening": {
        "kind": "ai_service",
        "owner": "amira",
        "description": "SaaS used by HR to screen and rank job applications.",
        "classification": "confidential",
        "confidentiality": "high",
        "integrity": "high",
        "availability": "low",
        "hosting": "Vendor cloud, EU (Paris)",
        "supplier": "TalentLens",
        "ai_purpose": "Ranks applicants against the job description; recruiters see the ranking first.",
        "model_type": "Ranking model with LLM-extracted CV features",
        "data_sources": "CVs and cover letters uploaded by applicants through the careers page.",
        "deployment": "SaaS",
        "learns_from_user_data": True,
        "processes_personal_data": True,
        "reads_untrusted_content": True,
        "can_act": False,
        "publicly_exposed": True,
        "eu_ai_act_tier": "eu-ai-act:2024:high",
    },
    "AI coding assistants": {
        "kind": "ai_service",
        "owner": None,
        "description": "Code completion and chat in developers' editors, on the business plan.",
        "classification": "internal",
        "confidentiality": "high",
        "integrity": "medium",
        "availability": "low",
        "hosting": "Vendor cloud",
        "supplier": "GitHub (Copilot Business)",
        "ai_purpose": "Suggests code and answers programming questions.",
        "model_type": "Hosted code LLMs",
        "data_sources": "Source code open in the editor; the plan excludes customer code from training.",
        "deployment": "IDE plug-in on developer laptops",
        "learns_from_user_data": False,
        "processes_personal_data": False,
        "reads_untrusted_content": True,
        "can_act": False,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:minimal",
    },
    "IT service desk agent": {
        "kind": "agent",
        "owner": "sofia",
        "description": "Answers staff IT tickets and handles routine requests.",
        "classification": "internal",
        "confidentiality": "medium",
        "integrity": "high",
        "availability": "medium",
        "hosting": "AWS eu-west-1, EKS",
        "ai_purpose": "Resolves routine IT requests: password resets, software installs, access requests.",
        "model_type": "LLM agent with tool calls (hosted foundation model)",
        "data_sources": "Staff tickets and e-mails; the IT knowledge base.",
        "deployment": "Ticketing-system integration",
        "learns_from_user_data": False,
        "processes_personal_data": True,
        "reads_untrusted_content": True,
        "can_act": True,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:minimal",
        "depends_on": [NIMBUS, EKS],
    },
    "Staff generative AI chat": {
        "kind": "ai_service",
        "owner": "amira",
        "description": "General-purpose chat assistant for staff, under the generative AI "
        "acceptable-use policy.",
        "classification": "internal",
        "confidentiality": "medium",
        "integrity": "low",
        "availability": "low",
        "hosting": "Nimbus AI EU region (Frankfurt)",
        "supplier": "Nimbus AI",
        "ai_purpose": "Drafting, summarising and research for staff; no patient data allowed.",
        "model_type": "General-purpose LLM (enterprise chat)",
        "data_sources": "What staff type or upload.",
        "deployment": "SaaS with single sign-on",
        "learns_from_user_data": False,
        "processes_personal_data": False,
        "reads_untrusted_content": True,
        "can_act": False,
        "publicly_exposed": False,
        "eu_ai_act_tier": "eu-ai-act:2024:minimal",
    },
}


def load_demo_assets() -> int:
    """Add the demo assets that are not there yet (by name); returns how many were added."""
    users = {u.username: u for u in User.objects.all()}
    added = 0
    with transaction.atomic():
        existing = set(Asset.objects.values_list("name", flat=True))
        for name, spec in ASSETS.items():
            if name in existing:
                continue
            fields = {k: v for k, v in spec.items() if k not in ("owner", "depends_on", "components")}
            services.create_asset(None, name=name, owner=users.get(spec.get("owner") or ""), **fields)
            added += 1
        assets = {a.name: a for a in Asset.objects.filter(name__in=ASSETS)}
        for name, spec in ASSETS.items():
            asset = assets[name]
            if spec.get("depends_on") and not asset.depends_on.exists():
                services.set_dependencies(None, asset, [assets[n] for n in spec["depends_on"] if n in assets])
            if spec.get("components") and not asset.components.exists():
                for vendor, product, version, cpe in spec["components"]:
                    services.add_component(
                        None, asset, vendor=vendor, product=product, version=version, cpe=cpe
                    )
    return added
