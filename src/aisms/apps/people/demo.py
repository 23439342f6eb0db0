"""Helixa's people, roles and AI-risk training for the demo: some people are overdue, coverage has grown
over the last months, so the charts have something to say. Dates are relative to the day it is loaded."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.utils import timezone

from aisms.apps.people import services
from aisms.apps.people.models import Competence, JobRole, Person

ROLES = {
    "Software engineer": ["Secure use of AI coding assistants", "Information security basics"],
    "ML engineer": ["Secure use of AI coding assistants", "Safe use of generative AI with company data"],
    "Clinician": [
        "Safe use of generative AI with company data",
        "Recognising AI-enabled phishing and deepfakes",
    ],
    "Claims analyst": [
        "Recognising AI-enabled phishing and deepfakes",
        "Safe use of generative AI with company data",
    ],
    "HR partner": ["Recognising AI-enabled phishing and deepfakes", "Assessing AI suppliers"],
    "ISMS manager": ["Assessing AI suppliers", "Recognising AI-enabled phishing and deepfakes"],
    "People manager": ["Recognising AI-enabled phishing and deepfakes"],
}
ASSIGNMENTS = {  # module code -> (role, due days)
    "ai-phishing-deepfakes-101": [
        ("Clinician", 30),
        ("Claims analyst", 30),
        ("HR partner", 30),
        ("ISMS manager", 30),
        ("People manager", 30),
    ],
    "genai-with-company-data": [("ML engineer", 30), ("Clinician", 45), ("Claims analyst", 45)],
    "secure-ai-coding": [("Software engineer", 14), ("ML engineer", 14)],
    "assessing-ai-suppliers": [("HR partner", 60), ("ISMS manager", 60)],
    "security-induction": [("Software engineer", 7)],
}
# employee id, name, department, manager, roles, days since starting
PEOPLE = [
    ("H1001", "Niamh Byrne", "Engineering", "", ["Software engineer", "People manager"], 1400),
    ("H1002", "Rui Carvalho", "Engineering", "H1001", ["Software engineer"], 900),
    ("H1003", "Aoife Walsh", "Engineering", "H1001", ["Software engineer"], 400),
    ("H1004", "Marco Bianchi", "Engineering", "H1001", ["ML engineer"], 700),
    ("H1005", "Priya Nair", "Engineering", "H1001", ["ML engineer"], 120),
    ("H1006", "Joana Santos", "Engineering", "H1001", ["Software engineer"], 45),
    ("H2001", "Dr Ciara Moran", "Clinical", "", ["Clinician", "People manager"], 1800),
    ("H2002", "Dr Tiago Almeida", "Clinical", "H2001", ["Clinician"], 1000),
    ("H2003", "Siobhan Kelly", "Clinical", "H2001", ["Clinician"], 600),
    ("H2004", "Inês Ferreira", "Clinical", "H2001", ["Clinician"], 200),
    ("H3001", "Declan Murphy", "Claims", "", ["Claims analyst", "People manager"], 1500),
    ("H3002", "Beatriz Costa", "Claims", "H3001", ["Claims analyst"], 800),
    ("H3003", "Liam O'Connor", "Claims", "H3001", ["Claims analyst"], 500),
    ("H3004", "Sara Lopes", "Claims", "H3001", ["Claims analyst"], 90),
    ("H4001", "Orla Doyle", "HR", "", ["HR partner", "People manager"], 1200),
    ("H4002", "Miguel Rocha", "HR", "H4001", ["HR partner"], 300),
    ("H5001", "Amira Okafor", "Security", "", ["ISMS manager", "People manager"], 1100),
    ("H5002", "Daniel Reyes", "Security", "H5001", ["ISMS manager"], 650),
    ("H5003", "Sofia Lindqvist", "Security", "H5001", ["Software engineer"], 350),
    ("H5004", "Eoin Gallagher", "Security", "H5001", ["Software engineer"], 20),
]
# employee id -> (module code, days ago, score); older completions make the trend rise month by month
COMPLETIONS = [
    ("H1001", "secure-ai-coding", 150, 92),
    ("H1001", "security-induction", 1390, 100),
    ("H1001", "ai-phishing-deepfakes-101", 100, 88),
    ("H1002", "secure-ai-coding", 130, 85),
    ("H1002", "security-induction", 890, 95),
    ("H1003", "secure-ai-coding", 40, 78),
    ("H1003", "security-induction", 395, 90),
    ("H1004", "secure-ai-coding", 70, 81),
    ("H1004", "genai-with-company-data", 60, 90),
    ("H1005", "secure-ai-coding", 100, 74),
    ("H2001", "ai-phishing-deepfakes-101", 120, 95),
    ("H2001", "genai-with-company-data", 90, 93),
    ("H2002", "ai-phishing-deepfakes-101", 400, 80),
    ("H2002", "genai-with-company-data", 50, 88),
    ("H2003", "ai-phishing-deepfakes-101", 35, 91),
    ("H3001", "ai-phishing-deepfakes-101", 160, 87),
    ("H3001", "genai-with-company-data", 140, 90),
    ("H3002", "ai-phishing-deepfakes-101", 20, 83),
    ("H3003", "genai-with-company-data", 75, 79),
    ("H4001", "ai-phishing-deepfakes-101", 110, 94),
    ("H4001", "assessing-ai-suppliers", 80, 89),
    ("H5001", "ai-phishing-deepfakes-101", 170, 97),
    ("H5001", "assessing-ai-suppliers", 165, 96),
    ("H5002", "ai-phishing-deepfakes-101", 25, 90),
    ("H5003", "secure-ai-coding", 55, 86),
    ("H5003", "security-induction", 340, 100),
]


def load_demo_people() -> None:
    """Adopt the starter modules, create the roles and people, assign modules and record completions."""
    if Person.objects.exists():
        return
    today = timezone.localdate()
    modules = {m.code: m for m in services.adopt_starter_modules(None)}
    competences = {c.name: c for c in Competence.objects.all()}
    roles = {}
    for name, needed in ROLES.items():
        role = JobRole.objects.filter(name=name).first() or services.create_role(None, name=name)
        for competence in needed:
            services.require_competence(None, role, competences[competence], "training")
        roles[name] = role
    for code, targets in ASSIGNMENTS.items():
        for role_name, due_days in targets:
            services.assign_module(None, roles[role_name], modules[code], due_days)
    people: dict[str, Person] = {}
    for employee_id, name, department, manager, role_names, days in PEOPLE:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        email = plain.lower().replace("dr ", "").replace("'", "").replace(" ", ".") + "@helixa.example"
        people[employee_id] = services.create_person(
            None,
            employee_id=employee_id,
            name=name,
            email=email,
            department=department,
            manager=people.get(manager),
            start_date=today - timedelta(days=days),
            roles=[roles[r] for r in role_names],
        )
    # The ISMS manager role also needs a lead-auditor qualification; Amira holds one, the HR partner role
    # needs experience of supplier assessments, which Orla has on record and Miguel does not yet.
    audit = services.create_competence(
        None,
        name="Auditing an ISMS against ISO/IEC 27001",
        category="security",
        description="Plan and run internal audits; judge conformity and write findings.",
    )
    services.require_competence(None, roles["ISMS manager"], audit, "qualification")
    services.require_competence(
        None, roles["HR partner"], competences["Assessing AI suppliers"], "experience"
    )
    services.record_competence(
        None,
        people["H5001"],
        audit,
        kind="qualification",
        description="ISO/IEC 27001 Lead Auditor",
        obtained_on=today - timedelta(days=900),
        expires_on=today + timedelta(days=195),
        reference="certificate LA-27001-5521",
    )
    services.record_competence(
        None,
        people["H4001"],
        competences["Assessing AI suppliers"],
        kind="experience",
        description="Ran the HR-tech supplier reviews for three years, including the CV-screening vendor",
        obtained_on=today - timedelta(days=1100),
    )
    for employee_id, code, days_ago, score in COMPLETIONS:
        services.record_completion(
            None,
            people[employee_id],
            modules[code],
            today - timedelta(days=days_ago),
            score=score,
            evidence=f"LMS certificate {employee_id}-{code}",
            source="lms",
        )
