"""The demo organisation: a fictional health-tech firm that builds, buys and uses AI.

Later capabilities add their registers (assets, risks, suppliers, ...) to the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.notifications import without_email
from aisms.apps.accounts.services import create_user
from aisms.apps.assets.demo import load_demo_assets
from aisms.apps.audits.demo_data import load_demo_audits
from aisms.apps.compliance.demo_data import load_demo_compliance
from aisms.apps.context.demo_data import load_demo_context
from aisms.apps.context.models import Organisation
from aisms.apps.controls.demo_data import load_demo_soa
from aisms.apps.devsec.demo_data import load_demo_devsec
from aisms.apps.intel.demo_data import load_demo_intel
from aisms.apps.people.demo import load_demo_people
from aisms.apps.posture.demo_data import load_demo_posture
from aisms.apps.risks.demo_data import load_demo_risks
from aisms.apps.suppliers.demo_data import load_demo_suppliers
from aisms.apps.threatmodels.demo_data import load_demo_threatmodels
from aisms.domain.access import Role

ORGANISATION = {
    "name": "Helixa Health Ltd",
    "sector": "Digital health (software as a medical device, health insurance services)",
    "country": "Ireland (offices in Dublin and Lisbon)",
    "headcount": 420,
    "annual_turnover_eur": Decimal("68000000.00"),
    "description": (
        "Helixa builds patient-facing triage software for clinics and a claims platform for health insurers. "
        "It processes special-category health data of about 1.2 million patients across the EU, and holds "
        "ISO/IEC 27001 certification for its cloud platform."
    ),
    "ai_use": (
        "Builds: 'Triage Assistant', an LLM application that asks patients about symptoms and suggests "
        "an urgency level, grounded by retrieval over clinical guidelines (likely high-risk under the "
        "EU AI Act); "
        "'ClaimGuard', a gradient-boosted fraud-detection model trained on insurers' historical claims.\n"
        "Buys: a hosted foundation-model API behind the Triage Assistant, an AI transcription service for "
        "clinician notes, and an AI-assisted CV screening tool used by HR.\n"
        "Uses: AI coding assistants in engineering, and generative AI chat tools for staff under an "
        "acceptable-use policy."
    ),
}

# (username, first name, last name, role, e-mail)
PEOPLE = [
    ("amira", "Amira", "Okafor", Role.ISMS_MANAGER, "amira.okafor@helixa.example"),
    ("daniel", "Daniel", "Reyes", Role.RISK_OWNER, "daniel.reyes@helixa.example"),
    ("sofia", "Sofia", "Lindqvist", Role.CONTRIBUTOR, "sofia.lindqvist@helixa.example"),
    ("tom", "Tom", "Becker", Role.AUDITOR, "tom.becker@helixa.example"),
]


@dataclass
class DemoCreated:
    organisation: str
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def load_demo() -> DemoCreated | None:
    """Load the demo once (None when already there). Passwords are generated and returned once."""
    if Organisation.objects.filter(is_demo=True).exists():
        return None
    # The demo's notifications are real (in the app) but no e-mail goes to its fictional people.
    with transaction.atomic(), without_email():
        organisation = Organisation.objects.order_by("pk").first() or Organisation()
        for name, value in ORGANISATION.items():
            setattr(organisation, name, value)
        organisation.is_demo = True
        organisation.save()
        created = DemoCreated(organisation=organisation.name)
        for username, first, last, role, email in PEOPLE:
            if User.objects.filter(username=username).exists():
                continue
            user, password = create_user(username, role, email=email, first_name=first, last_name=last)
            created.logins.append((user.username, role.label, password))
        load_demo_assets()
        load_demo_risks(User.objects.get(username="amira"))
        load_demo_context(User.objects.get(username="amira"))
        load_demo_people()
        load_demo_intel()
        load_demo_posture()
        load_demo_devsec()
        load_demo_suppliers(User.objects.get(username="amira"))
        load_demo_threatmodels(User.objects.get(username="amira"))
        # Keep this last: the SoA derives the risks and actions that call for each control.
        load_demo_soa(User.objects.get(username="amira"))
        # Audits read the SoA (applicable controls) and the other registers for the review pack.
        load_demo_audits(User.objects.get(username="amira"))
        # Compliance derives its status from all of the above.
        load_demo_compliance(User.objects.get(username="amira"))
    return created
