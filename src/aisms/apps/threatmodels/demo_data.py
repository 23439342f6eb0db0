"""Demo threat model: Helixa's Triage Assistant (the same file as
docs/examples/triage-assistant.threatmodel.yaml).
Version 1 is the design before the call-back booking tool; version 2 adds it, so the change view has
something to show. A few threats are assessed and one is in the risk register."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

from aisms.apps.accounts.models import User
from aisms.apps.threatmodels import services
from aisms.apps.threatmodels.models import ThreatModel, ThreatModelStatus
from aisms.domain.threatmodel.editing import remove_element
from aisms.domain.threatmodel.model import ComponentProperty
from aisms.domain.threatmodel.model_file import dump_model, parse_model

DEMO_FILE = "demo_triage_assistant.threatmodel.yaml"

# threat id -> (relevant, reason, mitigation status)
DECISIONS: dict[str, tuple[bool, str, str]] = {
    "llm-indirect-prompt-injection@triage-app": (
        True,
        "Patient messages and retrieved passages both reach the prompt; red-team found two bypasses in Q3.",
        "in_progress",
    ),
    "llm-misinformation@triage-app": (
        True,
        "A wrong urgency suggestion can delay care; clinicians confirm, but may anchor on it.",
        "in_progress",
    ),
    "excessive-agency@triage-app": (
        True,
        "The booking tool can create call-backs for any patient id the model passes.",
        "planned",
    ),
    "system-prompt-leakage@system-prompt": (
        True,
        "Urgency thresholds are in the prompt; no secrets, but they help attackers game the triage.",
        "implemented",
    ),
    "personal-data-to-model-provider@llm-call": (
        True,
        "Covered by the Nimbus DPA with zero data retention and EU processing; keep under supplier review.",
        "implemented",
    ),
    "model-extraction@triage-app": (
        False,
        "No proprietary model: the assistant calls a third-party foundation model with public weights "
        "elsewhere; rate limits are in place for cost reasons.",
        "not_started",
    ),
    "stride-external-repudiation@guideline-sources": (
        False,
        "Guideline updates are approved and signed off by the clinical safety officer before indexing.",
        "not_started",
    ),
}
PUSHED = "llm-misinformation@triage-app"


def demo_source() -> str:
    return resources.files("aisms.apps.threatmodels").joinpath(DEMO_FILE).read_text(encoding="utf-8")


def load_demo_threatmodels(actor: User) -> int:
    """Add the Triage Assistant threat model (once); returns how many models were added."""
    source = demo_source()
    full = parse_model(source, DEMO_FILE)
    if ThreatModel.objects.filter(name=full.name).exists():
        return 0
    earlier = remove_element(full, "callback-tool")
    earlier = replace(
        earlier,
        components=tuple(
            replace(c, properties=c.properties - {ComponentProperty.CAN_ACT}) if c.id == "triage-app" else c
            for c in earlier.components
        ),
    )
    tm = services.create_threat_model(
        actor, dump_model(earlier), filename=DEMO_FILE, note="First design review"
    )
    services.save_source(actor, tm, source, note="Added the call-back booking tool", filename=DEMO_FILE)
    owner = User.objects.filter(username="daniel").first()
    services.update_details(actor, tm, status=ThreatModelStatus.IN_REVIEW, owner=owner)
    for threat_id, (relevant, reason, status) in DECISIONS.items():
        services.decide(actor, tm, threat_id, relevant=relevant, reason=reason, mitigation_status=status)
    services.push_to_register(actor, tm, PUSHED, owner=owner)
    return 1
