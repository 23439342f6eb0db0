"""Writes to the threat-model register: import and edit of the YAML source (all-or-nothing, every problem
with its line), analysis with the shipped and the organisation's rules, the analyst's decisions, pushing
relevant threats into the risk register, and organisation rule sets. Every write checks the access policy
and runs in one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import Risk
from aisms.apps.threatmodels.models import (
    MitigationStatus,
    OrgRuleSet,
    ThreatDecision,
    ThreatModel,
    ThreatModelStatus,
    ThreatModelVersion,
)
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.threatmodel_rules import RuleEngine, builtin_engine
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.threatmodel import model as tm_model
from aisms.domain.threatmodel.analysis import Analysis, Threat, analysis_from_dict, analysis_to_dict
from aisms.domain.threatmodel.llm_prompting import check_proposal, proposal_threat
from aisms.domain.threatmodel.model_file import ModelInvalidError, ModelProblem, dump_model, parse_model
from aisms.domain.threatmodel.rules import Rule

logger = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 1_000_000
AI_THREAT_CATALOGUES = ("atlas", "owasp-llm", "owasp-ml")


class ThreatModelRejectedError(Exception):
    """A source refused as a whole: every problem with its line and field."""

    def __init__(self, problems: list[ModelProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


def max_source_bytes() -> int:
    return min(MAX_SOURCE_BYTES, settings.AISMS_MAX_UPLOAD_BYTES)


def engine() -> RuleEngine:
    return builtin_engine()


def organisation_rules() -> list[Rule]:
    """The rules of every enabled organisation rule set (a set that no longer validates is skipped)."""
    rules: list[Rule] = []
    for rule_set in OrgRuleSet.objects.filter(enabled=True).order_by("name"):
        try:
            rules += engine().parse_extra(rule_set.source, rule_set.name, origin=rule_set.name)
        except CatalogueError:
            logger.warning("organisation rule set %s no longer validates; skipped", rule_set.name)
    return rules


def _may(actor: User, action: Action, tm: ThreatModel | None) -> None:
    require(actor, action)
    if tm is None:
        return
    is_owner = actor.pk in (tm.owner_id, tm.created_by_id)
    if not can_on_object(Role(actor.role), action, is_owner=is_owner):
        raise PermissionDenied(f"only the owner or author of {tm.name} may {action.value} it")


def resolve_asset(ref: str) -> Asset | None:
    """An asset by id (digits) or by exact name."""
    if ref.isdigit():
        return Asset.objects.filter(pk=int(ref)).first()
    return Asset.objects.filter(name=ref).first()


def check_source(text: str, filename: str) -> tuple[tm_model.ThreatModel, list[Asset]]:
    """Parse and validate a source; the linked assets must exist. Raise ThreatModelRejectedError."""
    if len(text.encode("utf-8")) > max_source_bytes():
        raise ThreatModelRejectedError(
            [ModelProblem(filename, None, "", f"larger than {max_source_bytes()} bytes")]
        )
    try:
        model = parse_model(text, filename)
    except ModelInvalidError as exc:
        raise ThreatModelRejectedError(exc.problems) from exc
    assets: list[Asset] = []
    problems: list[ModelProblem] = []
    for index, component in enumerate(model.components):
        if component.asset is None:
            continue
        asset = resolve_asset(component.asset)
        if asset is None:
            problems.append(
                ModelProblem(
                    filename,
                    component.line,
                    f"components[{index}].asset",
                    f"no asset {component.asset!r} in the inventory",
                )
            )
        elif asset not in assets:
            assets.append(asset)
    if problems:
        raise ThreatModelRejectedError(problems)
    return model, assets


def run_analysis(model: tm_model.ThreatModel, accepted: list[dict[str, Any]] | None = None) -> Analysis:
    """The rules' threats plus accepted assistant proposals whose element is still in the model."""
    analysis = engine().analyze(model, organisation_rules())
    extra = []
    seen = {t.id for t in analysis.threats}
    for item in accepted or []:
        proposal, _reason = check_proposal(item.get("proposal"), model, engine().refs)
        if proposal is None:
            continue
        threat = proposal_threat(proposal, model, engine().refs, str(item.get("accepted_by", "")))
        if threat.id not in seen:
            seen.add(threat.id)
            extra.append(threat)
    return replace(analysis, threats=analysis.threats + tuple(extra)) if extra else analysis


def _owner(name: str) -> User | None:
    return User.objects.filter(username=name).first() if name else None


def current_version(tm: ThreatModel) -> ThreatModelVersion | None:
    return tm.versions.order_by("-number").first()


def _new_version(
    actor: User | None, tm: ThreatModel, source: str, note: str, analysis: Analysis
) -> ThreatModelVersion:
    number = (tm.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ThreatModelVersion(
        threat_model=tm,
        number=number,
        source=source,
        note=note.strip()[:300],
        analysis=analysis_to_dict(analysis),
        analysed_at=timezone.now(),
        created_by=actor,
    )
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    return version


@transaction.atomic
def create_threat_model(
    actor: User | None, source: str, *, filename: str = "upload.yaml", note: str = "Imported"
) -> ThreatModel:
    if actor is not None:
        _may(actor, Action.CREATE, None)
    model, assets = check_source(source, filename)
    if ThreatModel.objects.filter(name=model.name).exists():
        raise ValidationError({"name": f"a threat model named {model.name!r} exists already"})
    tm = ThreatModel(
        name=model.name,
        description=model.description,
        owner=_owner(model.owner) or actor,
        source=source,
        created_by=actor,
    )
    tm._history_user = actor  # type: ignore[attr-defined]
    tm.save()
    tm.assets.set(assets)
    _new_version(actor, tm, source, note, run_analysis(model, tm.accepted_proposals))
    return tm


@transaction.atomic
def save_source(
    actor: User | None, tm: ThreatModel, source: str, *, note: str = "", filename: str = "model.yaml"
) -> ThreatModelVersion:
    """Save a changed source as a new version and analyse it; an unchanged source keeps the version."""
    if actor is not None:
        _may(actor, Action.EDIT, tm)
    model, assets = check_source(source, filename)
    if model.name != tm.name and ThreatModel.objects.filter(name=model.name).exclude(pk=tm.pk).exists():
        raise ValidationError({"name": f"a threat model named {model.name!r} exists already"})
    current = current_version(tm)
    if current is not None and current.source == source:
        return current
    tm.name, tm.description, tm.source = model.name, model.description, source
    owner = _owner(model.owner)
    if owner is not None:
        tm.owner = owner
    tm.updated_at = timezone.now()
    tm._history_user = actor  # type: ignore[attr-defined]
    tm.save()
    tm.assets.set(assets)
    return _new_version(actor, tm, source, note or "Edited", run_analysis(model, tm.accepted_proposals))


def edit_structure(
    actor: User, tm: ThreatModel, edit: Callable[[tm_model.ThreatModel], tm_model.ThreatModel], note: str
) -> ThreatModelVersion:
    """Apply a structured edit (domain.threatmodel.editing) and save the result as a new version.

    The source is rewritten from the model, so comments in the YAML are not kept."""
    _may(actor, Action.EDIT, tm)
    model = parse_model(tm.source, "current.yaml")
    return save_source(actor, tm, dump_model(edit(model)), note=note)


@transaction.atomic
def reanalyse(actor: User, tm: ThreatModel, note: str = "") -> ThreatModelVersion:
    """Analyse the current source with the current rules; a different result becomes a new version."""
    _may(actor, Action.EDIT, tm)
    current = current_version(tm)
    model = parse_model(tm.source, "current.yaml")
    analysis = run_analysis(model, tm.accepted_proposals)
    if current is not None and current.analysis == json.loads(json.dumps(analysis_to_dict(analysis))):
        return current
    return _new_version(actor, tm, tm.source, note or "Re-analysed with the current rules", analysis)


@transaction.atomic
def update_details(actor: User, tm: ThreatModel, *, status: str, owner: User | None) -> ThreatModel:
    _may(actor, Action.EDIT, tm)
    if status not in ThreatModelStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    tm.status, tm.owner, tm.updated_at = status, owner, timezone.now()
    tm._history_user = actor  # type: ignore[attr-defined]
    tm.save()
    return tm


def current_analysis(tm: ThreatModel) -> Analysis | None:
    version = current_version(tm)
    if version is None or version.analysis is None:
        return None
    return analysis_from_dict(version.analysis)


def _threat(tm: ThreatModel, threat_id: str) -> Threat:
    analysis = current_analysis(tm)
    threat = analysis.get(threat_id) if analysis else None
    if threat is None:
        raise ValidationError({"threat": f"{threat_id!r} is not a threat of the current analysis"})
    return threat


@transaction.atomic
def decide(
    actor: User,
    tm: ThreatModel,
    threat_id: str,
    *,
    relevant: bool,
    reason: str = "",
    mitigation_status: str = MitigationStatus.NOT_STARTED,
) -> ThreatDecision:
    """Mark a threat relevant or not; not relevant needs a reason (it is the justification auditors read)."""
    _may(actor, Action.EDIT, tm)
    _threat(tm, threat_id)
    reason = reason.strip()
    if not relevant and not reason:
        raise ValidationError({"reason": "say why this threat is not relevant"})
    if mitigation_status not in MitigationStatus.values:
        raise ValidationError({"mitigation_status": f"unknown status {mitigation_status!r}"})
    decision = ThreatDecision.objects.filter(threat_model=tm, threat_id=threat_id).first()
    if decision is not None and decision.risk_id is not None and not relevant:
        raise ValidationError(
            {"relevant": f"already in the risk register as {decision.risk}; close the risk there"}
        )
    decision = decision or ThreatDecision(threat_model=tm, threat_id=threat_id)
    decision.relevant = relevant
    decision.reason = reason[:4000]
    decision.mitigation_status = mitigation_status
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    decision._history_user = actor  # type: ignore[attr-defined]
    decision.save()
    return decision


def _catalogue_threat(threat: Threat) -> CatalogueEntry | None:
    uids = [r.uid for r in threat.threats]
    found = {
        e.uid: e for e in CatalogueEntry.objects.filter(uid__in=uids, source__key__in=AI_THREAT_CATALOGUES)
    }
    for uid in uids:
        if uid in found:
            return found[uid]
    return None


@transaction.atomic
def push_to_register(actor: User, tm: ThreatModel, threat_id: str, *, owner: User | None = None) -> Risk:
    """Create a risk in the register from a threat marked relevant, on the linked assets."""
    require(actor, Action.CREATE)
    threat = _threat(tm, threat_id)
    decision = ThreatDecision.objects.select_for_update().filter(threat_model=tm, threat_id=threat_id).first()
    if decision is None or not decision.relevant:
        raise ValidationError({"threat": "mark the threat relevant before pushing it to the register"})
    if decision.risk_id is not None:
        raise ValidationError({"threat": f"already in the risk register as {decision.risk}"})
    assets = [a for a in (resolve_asset(ref) for ref in threat.assets) if a is not None]
    catalogue_threat = _catalogue_threat(threat)
    version = current_version(tm)
    lines = [
        f'Identified by threat model "{tm.name}" (version {version.number if version else "?"}), '
        f'threat {threat.id} on {threat.element_type} "{threat.element_name}".',
        "",
        threat.description,
        "",
        "Why it applies: " + "; ".join(threat.rationale) + ".",
    ]
    if threat.threats:
        lines.append("Catalogue: " + ", ".join(f"{r.uid} ({r.name})" for r in threat.threats) + ".")
    if threat.stride:
        lines.append(f"STRIDE: {threat.stride_label}.")
    if decision.reason:
        lines.append(f"Analyst's note: {decision.reason}")
    scores = risk_services.Scores(
        inherent=(threat.likelihood, threat.impact),
        current=(threat.likelihood, threat.impact),
        target=(threat.likelihood, threat.impact),
    )
    risk = risk_services.create_risk(
        actor,
        title=threat.title[:300],
        scores=scores,
        assets=assets,
        threat=catalogue_threat,
        custom_threat="" if catalogue_threat else f"STRIDE {threat.stride_label or ''}: {threat.title}"[:300],
        owner=owner or tm.owner,
        description="\n".join(lines),
        vulnerability="; ".join(threat.rationale),
        treatment_notes="Suggested mitigations: "
        + "; ".join(f"{r.uid} {r.name}" for r in threat.mitigations)
        + ".",
    )
    decision.risk = risk
    decision._history_user = actor  # type: ignore[attr-defined]
    decision.save(update_fields=["risk"])
    return risk


# ------------------------------------------------------------------ organisation rules


def _check_rules(name: str, source: str) -> int:
    if not name.strip():
        raise ValidationError({"name": "a rule set needs a name"})
    if len(source.encode("utf-8")) > max_source_bytes():
        raise ValidationError({"source": f"larger than {max_source_bytes()} bytes"})
    try:
        rules = engine().parse_extra(source, name.strip(), origin=name.strip())
    except CatalogueError as exc:
        raise ValidationError({"source": str(exc)}) from exc
    return len(rules)


@transaction.atomic
def add_rule_set(actor: User, *, name: str, source: str, enabled: bool = True) -> OrgRuleSet:
    require(actor, Action.MANAGE_CATALOGUE)
    count = _check_rules(name, source)
    if OrgRuleSet.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": f"a rule set named {name.strip()!r} exists already"})
    rule_set = OrgRuleSet(
        name=name.strip(), source=source, enabled=enabled, rule_count=count, created_by=actor
    )
    rule_set._history_user = actor  # type: ignore[attr-defined]
    rule_set.save()
    return rule_set


@transaction.atomic
def update_rule_set(actor: User, rule_set: OrgRuleSet, **fields: Any) -> OrgRuleSet:
    require(actor, Action.MANAGE_CATALOGUE)
    if "source" in fields:
        rule_set.rule_count = _check_rules(rule_set.name, fields["source"])
        rule_set.source = fields["source"]
    if "enabled" in fields:
        rule_set.enabled = bool(fields["enabled"])
    rule_set.updated_at = timezone.now()
    rule_set._history_user = actor  # type: ignore[attr-defined]
    rule_set.save()
    return rule_set


@transaction.atomic
def delete_rule_set(actor: User, rule_set: OrgRuleSet) -> None:
    require(actor, Action.MANAGE_CATALOGUE)
    rule_set.delete()
