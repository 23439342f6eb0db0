"""The demo organisation's Statement of Applicability: Helixa Health's decision on every Annex A control.

Helixa runs its platform on a public cloud (no data centre of its own) and has offices in Dublin and
Lisbon, so most physical controls apply to the offices and the laptops, and the cloud provider's certified
controls cover its data centres. Three controls are excluded, each with its reason.
"""

from __future__ import annotations

from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.controls import selectors, services
from aisms.apps.controls.models import SoAVersion
from aisms.domain.soa import ImplementationStatus

I = ImplementationStatus.IMPLEMENTED  # noqa: E741 - short names keep the table below readable
P = ImplementationStatus.PARTIALLY_IMPLEMENTED
L = ImplementationStatus.PLANNED

# Common reasons, as an auditor reads them in an SoA.
_GDPR = "GDPR Art. 32 and the EU MDR require it for special-category health data"
_CONTRACT = "insurer and clinic contracts require it"
_RISK = "risk assessment: treats risks to the triage and claims platforms"
_CLOUD = (
    "the platform runs on a public cloud; the provider's ISO/IEC 27001 certificate covers its data centres"
)

# (control, status, owner, justification, notes). Anything not listed here is included by default.
DECISIONS: list[tuple[str, ImplementationStatus, str, str, str]] = [
    (
        "5.1",
        I,
        "amira",
        f"Management direction for the ISMS; {_CONTRACT}.",
        "Policy set v3.2 approved by the board.",
    ),
    (
        "5.2",
        I,
        "amira",
        "Security roles are needed for accountability across engineering, clinical and HR.",
        "",
    ),
    ("5.3", I, "amira", f"Payments and production changes need separated duties; {_RISK}.", ""),
    ("5.4", I, "amira", "Managers must enforce policies; required for certification (clause 5.1).", ""),
    ("5.5", I, "amira", "Breach notification to the DPC and HPRA within legal deadlines.", ""),
    (
        "5.6",
        I,
        "daniel",
        "Membership of HSE cyber forums and health-ISAC keeps threat awareness current.",
        "",
    ),
    (
        "5.7",
        P,
        "daniel",
        f"{_RISK}; AI threats (ATLAS, OWASP LLM) change quickly.",
        "Feed review monthly; AI sources being added.",
    ),
    ("5.8", I, "amira", "Security requirements are part of every product project (DPIA, threat model).", ""),
    ("5.9", I, "sofia", "An inventory of assets, AI models and data sets underpins the risk assessment.", ""),
    (
        "5.10",
        I,
        "amira",
        "Acceptable use, including generative AI tools for staff.",
        "AI acceptable-use policy since 2024.",
    ),
    ("5.11", I, "sofia", "Laptops and tokens are returned at leaving; HR offboarding checklist.", ""),
    ("5.12", I, "amira", f"Health data must be classified to be protected; {_GDPR}.", ""),
    (
        "5.13",
        P,
        "amira",
        "Labels on documents and data stores follow the classification scheme.",
        "Data store tagging 70% done.",
    ),
    (
        "5.14",
        I,
        "daniel",
        f"Patient and claims data are exchanged with clinics and insurers; {_CONTRACT}.",
        "",
    ),
    ("5.15", I, "daniel", f"Least-privilege access to health data; {_GDPR}.", ""),
    (
        "5.16",
        I,
        "sofia",
        "One identity per person through the identity provider; joiner-mover-leaver process.",
        "",
    ),
    ("5.17", I, "sofia", "Passwords and keys are issued and handled securely; MFA everywhere.", ""),
    ("5.18", I, "daniel", "Access rights are granted, reviewed quarterly and revoked on role change.", ""),
    (
        "5.19",
        I,
        "amira",
        f"Cloud, AI model API and transcription suppliers process health data; {_RISK}.",
        "",
    ),
    (
        "5.20",
        I,
        "amira",
        "Supplier agreements carry security and data-processing clauses (GDPR Art. 28).",
        "",
    ),
    (
        "5.21",
        P,
        "daniel",
        "Open-source and model supply chain (AI SBOM) for the triage assistant.",
        "AI SBOM planned for Q3.",
    ),
    ("5.22", P, "amira", "Supplier services are reviewed yearly and on change.", ""),
    (
        "5.23",
        I,
        "daniel",
        f"All production runs in the cloud; {_CLOUD}.",
        "Shared-responsibility matrix kept.",
    ),
    ("5.24", I, "daniel", f"Incident response for a medical-device platform; {_GDPR}.", ""),
    ("5.25", I, "daniel", "Security events are triaged by the on-call engineer within one hour.", ""),
    ("5.26", I, "daniel", "Documented response playbooks, including AI misuse and prompt injection.", ""),
    ("5.27", I, "daniel", "Post-incident reviews feed the risk register.", ""),
    (
        "5.28",
        P,
        "daniel",
        "Evidence must stand up in regulatory and legal proceedings.",
        "Forensic retention in cloud logs.",
    ),
    ("5.29", I, "amira", "Security must hold during disruption; clinics depend on triage 24/7.", ""),
    ("5.30", P, "daniel", f"Availability commitments to clinics; {_RISK}.", "Failover tested yearly."),
    ("5.31", I, "amira", "GDPR, EU MDR, EU AI Act and NIS2 obligations are identified and tracked.", ""),
    ("5.32", I, "amira", "Licences of software, models and training data are respected.", ""),
    ("5.33", I, "amira", "Medical and claims records have statutory retention periods.", ""),
    (
        "5.34",
        I,
        "amira",
        f"Processes health data of 1.2 million patients; {_GDPR}.",
        "DPO appointed; DPIAs kept.",
    ),
    ("5.35", I, "amira", "Internal audit and the certification body review the ISMS independently.", ""),
    ("5.36", I, "amira", "Compliance with policies is checked in internal audits and reviews.", ""),
    ("5.37", I, "sofia", "Operating procedures are documented in the engineering handbook.", ""),
    ("6.1", I, "amira", "Background checks for staff with access to health data, as law allows.", ""),
    ("6.2", I, "amira", "Employment contracts include security and confidentiality duties.", ""),
    ("6.3", I, "amira", "Annual training, including AI-specific risks for engineers.", ""),
    ("6.4", I, "amira", "A disciplinary process makes policies enforceable.", ""),
    ("6.5", I, "amira", "Confidentiality duties continue after leaving.", ""),
    ("6.6", I, "amira", f"NDAs protect patient and insurer information; {_CONTRACT}.", ""),
    ("6.7", I, "sofia", "Most staff work remotely part of the week.", ""),
    ("6.8", I, "daniel", "Staff report events through the service desk and a chat channel.", ""),
    (
        "7.1",
        I,
        "sofia",
        "The Dublin and Lisbon offices have defined perimeters (leased floors).",
        _CLOUD + ".",
    ),
    ("7.2", I, "sofia", "Badge access to both offices; visitors signed in and escorted.", ""),
    ("7.3", I, "sofia", "Offices hold laptops, paper records of HR and a comms room.", ""),
    (
        "7.4",
        P,
        "sofia",
        "CCTV at office entrances managed by the landlords.",
        "Lisbon monitoring contract under review.",
    ),
    ("7.5", I, "sofia", f"Office fire and flood protection; {_CLOUD}.", ""),
    ("7.6", I, "sofia", "The Dublin comms room is a secure area with restricted entry.", ""),
    ("7.7", I, "sofia", "Clinical and claims data are shown on screens in open-plan offices.", ""),
    ("7.8", I, "sofia", "Office network equipment is sited in the locked comms room.", ""),
    ("7.9", I, "sofia", "Laptops leave the offices daily; full-disk encryption and tracking.", ""),
    ("7.10", I, "sofia", "USB storage is blocked by default; exceptions are encrypted.", ""),
    (
        "7.11",
        I,
        "sofia",
        "Offices host no information processing facility beyond laptops on battery; "
        + _CLOUD
        + ". Excluded as not applicable.",
        "",
    ),
    (
        "7.12",
        I,
        "sofia",
        "No on-premises processing or server rooms: office cabling belongs to the landlord and carries only "
        "untrusted internet access; all traffic to the platform is encrypted end to end (8.20, 8.24).",
        "",
    ),
    (
        "7.13",
        I,
        "sofia",
        "Laptops and office equipment are maintained by the device vendor under contract.",
        "",
    ),
    ("7.14", I, "sofia", "Laptops are wiped with certified erasure before re-use or disposal.", ""),
    ("8.1", I, "sofia", "Laptops are managed (MDM), encrypted and patched automatically.", ""),
    ("8.2", I, "daniel", f"Cloud and database administrator rights are just-in-time; {_RISK}.", ""),
    ("8.3", I, "daniel", f"Per-tenant access to patient and claims data; {_GDPR}.", ""),
    ("8.4", I, "daniel", "Source code and model weights are in private repositories with reviews.", ""),
    ("8.5", I, "sofia", "SSO with phishing-resistant MFA for all staff.", ""),
    ("8.6", I, "daniel", "Autoscaling and capacity alerts for triage peaks.", ""),
    ("8.7", I, "sofia", "EDR on every laptop; uploads scanned on the claims platform.", ""),
    (
        "8.8",
        P,
        "daniel",
        f"Vulnerabilities in the platform and its dependencies; {_RISK}.",
        "SLA misses on low severity.",
    ),
    ("8.9", I, "daniel", "Infrastructure as code with reviewed, versioned configuration.", ""),
    (
        "8.10",
        P,
        "amira",
        f"Erasure requests and retention limits; {_GDPR}.",
        "Deletion from training sets in progress.",
    ),
    ("8.11", I, "daniel", "Pseudonymised data for analytics and model training.", ""),
    (
        "8.12",
        L,
        "daniel",
        f"Leakage of health data through AI prompts and outputs; {_RISK}.",
        "DLP rollout planned for Q3.",
    ),
    ("8.13", I, "daniel", "Encrypted, immutable backups in a second region; restores tested.", ""),
    ("8.14", I, "daniel", "Multi-zone deployment for 99.9% availability commitments.", ""),
    ("8.15", I, "daniel", "Logs of access to health data are required for accountability.", ""),
    (
        "8.16",
        P,
        "daniel",
        f"Monitoring for misuse, including of the LLM application; {_RISK}.",
        "LLM abuse detection in pilot.",
    ),
    ("8.17", I, "daniel", "Cloud time sources keep logs comparable.", ""),
    ("8.18", I, "daniel", "Privileged utilities are restricted to the platform team.", ""),
    ("8.19", I, "daniel", "Only pipeline-built images reach production.", ""),
    ("8.20", I, "daniel", "Cloud networks are segmented and protected by security groups.", ""),
    ("8.21", I, "daniel", "Network services (CDN, DNS, VPN) have agreed security features.", ""),
    ("8.22", I, "daniel", "Production, staging and corporate networks are separated.", ""),
    ("8.23", I, "sofia", "Web filtering on managed laptops blocks malicious sites.", ""),
    ("8.24", I, "daniel", f"Encryption in transit and at rest with managed keys; {_GDPR}.", ""),
    ("8.25", I, "daniel", "A secure development life cycle for medical-device software (IEC 62304).", ""),
    ("8.26", I, "daniel", "Security and AI-safety requirements are written for every feature.", ""),
    (
        "8.27",
        I,
        "daniel",
        "Architecture principles: zero trust, least privilege, isolated model serving.",
        "",
    ),
    ("8.28", I, "daniel", "Secure coding standards, code review and static analysis.", ""),
    (
        "8.29",
        P,
        "daniel",
        f"Security tests, including LLM red-teaming before release; {_RISK}.",
        "Red-team suite growing.",
    ),
    (
        "8.30",
        I,
        "daniel",
        "All development, including the AI models, is done by Helixa employees; nothing is outsourced. "
        "Re-assess before any outsourcing.",
        "",
    ),
    ("8.31", I, "daniel", "Separate cloud accounts for development, test and production.", ""),
    ("8.32", I, "daniel", "Changes go through reviewed pull requests and the release process.", ""),
    ("8.33", I, "daniel", "Synthetic or pseudonymised data only in test environments.", ""),
    ("8.34", I, "amira", "Audit tests on production are planned and approved beforehand.", ""),
]

EXCLUDED = ("7.11", "7.12", "8.30")


@transaction.atomic
def load_demo_soa(actor: User) -> SoAVersion | None:
    """Record the demo decisions and approve version 1; does nothing once a version exists.

    A control the demo risks call for is never excluded (that would be a contradiction)."""
    if selectors.latest_approved() is not None:
        return None
    services.ensure_rows()
    owners = {u.username: u for u in User.objects.filter(username__in={d[2] for d in DECISIONS})}
    called_for = {uid.rsplit(":", 1)[-1] for uid in selectors.calls()}
    for ref, status, owner, justification, notes in DECISIONS:
        row = selectors.implementation(ref)
        excluded = ref in EXCLUDED and ref not in called_for
        services.update_row(
            actor,
            row,
            applicable=not excluded,
            justification=justification[:1].upper() + justification[1:],
            implementation_status=(ImplementationStatus.NOT_STARTED if excluded else status).value,
            owner=owners.get(owner),
            notes=notes,
        )
    return services.approve_version(
        actor, notes="First Statement of Applicability for the certification audit."
    )
