"""Proposal rules: when correlated intelligence should make a risk owner re-assess a risk.

Rules are data (catalogue/data/posture-rules.yaml), matched by code. Each rule has a trigger:

- ``kev-listed``: the CVE is in the CISA KEV catalogue (exploited in the wild);
- ``epss-threshold``: its EPSS probability or percentile reaches the rule's threshold;
- ``critical-exposed``: its CVSS base score reaches the threshold on an asset reachable by the public;
- ``technique-uncovered``: an attack technique concerns an AI asset and no risk on it covers it;
- ``technique-covered``: new intelligence on a technique that a risk already covers (a review).

A CVE rule raises the current likelihood of the asset's vulnerability risks to
``max(current + raise_by, raise_to_at_least)`` (capped at the scale); several rules do not add up, the
highest proposed level wins and every rule's evidence is kept. A CVE rule on an asset with no
vulnerability risk proposes a new risk. A match whose version could not be decided gives a review.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from aisms.domain.posture.matching import AssetFacts


class Trigger(StrEnum):
    KEV_LISTED = "kev-listed"
    EPSS_THRESHOLD = "epss-threshold"
    CRITICAL_EXPOSED = "critical-exposed"
    TECHNIQUE_UNCOVERED = "technique-uncovered"
    TECHNIQUE_COVERED = "technique-covered"


CVE_TRIGGERS = frozenset({Trigger.KEV_LISTED, Trigger.EPSS_THRESHOLD, Trigger.CRITICAL_EXPOSED})


class ProposalKind(StrEnum):
    RAISE_LIKELIHOOD = "raise-likelihood"
    NEW_RISK = "new-risk"
    REVIEW = "review"


@dataclass(frozen=True)
class PostureRule:
    id: str
    trigger: Trigger
    title: str
    why: str
    min_confidence: float = 0.4
    in_scope_only: bool = True
    ai_assets_only: bool = False
    raise_by: int = 1
    raise_to_at_least: int | None = None
    epss_at_least: float | None = None
    percentile_at_least: float | None = None
    cvss_at_least: float | None = None
    new_risk_likelihood: int = 3
    item_kinds: frozenset[str] = frozenset()  # technique rules: only intel of these kinds (empty: all)


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[PostureRule, ...]
    vulnerability_threats: frozenset[str] = frozenset()  # threat uids of risks about exploiting CVEs
    vulnerability_keywords: tuple[str, ...] = ()  # or words in a risk's title/threat that say so


@dataclass(frozen=True)
class RiskFacts:
    id: int
    ref: str
    title: str
    likelihood: int
    impact: int
    threat_uid: str = ""
    custom_threat: str = ""


@dataclass(frozen=True)
class CveFacts:
    item_id: int
    cve_id: str
    title: str
    in_kev: bool = False
    kev_date_added: str = ""
    known_ransomware: bool = False
    epss: float | None = None
    epss_percentile: float | None = None
    cvss: float | None = None


@dataclass(frozen=True)
class MatchFacts:
    """A component match on one asset, as the rules see it."""

    component: str
    cpe: str
    method: str
    confidence: float
    possible: bool
    reason: str


@dataclass(frozen=True)
class TechniqueFacts:
    item_id: int
    item_kind: str
    item_title: str
    technique_uid: str
    technique_name: str
    confidence: float
    reason: str
    covering_risk_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Evidence:
    key: str  # stable: the same rule, intel and target give the same key (idempotent re-runs)
    rule_id: str
    rule_title: str
    summary: str
    item_id: int
    trigger: str = ""
    cve_id: str = ""
    technique_uid: str = ""
    component: str = ""
    asset: str = ""
    cpe: str = ""
    method: str = ""
    confidence: float = 1.0
    possible: bool = False
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class ProposalDraft:
    kind: ProposalKind
    asset_id: int
    title: str
    risk_id: int | None = None
    current_likelihood: int | None = None
    proposed_likelihood: int | None = None
    proposed_impact: int | None = None
    technique_uid: str = ""
    custom_threat: str = ""
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def target(self) -> tuple[str, int, int | None, str, str]:
        """What the proposal is about: one proposal per target."""
        return (self.kind.value, self.asset_id, self.risk_id, self.technique_uid, self.custom_threat)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(e.key for e in self.evidence)


def impact_from_cia(values: Iterable[str], scale_size: int) -> int:
    """An impact level for a new risk from the asset's highest CIA need, spread over the scale."""
    order = ["low", "medium", "high", "very_high"]
    known = [order.index(v) for v in values if v in order]
    top = max(known, default=1)
    return max(1, min(scale_size, math.ceil((top + 1) / len(order) * scale_size)))


def raised(current: int, rule: PostureRule, scale_size: int) -> int:
    target = current + rule.raise_by
    if rule.raise_to_at_least is not None:
        target = max(target, rule.raise_to_at_least)
    return max(current, min(scale_size, target))


def is_vulnerability_risk(risk: RiskFacts, rules: RuleSet) -> bool:
    """Whether the risk is about exploiting a software vulnerability on its assets: its catalogue threat
    is one of the rules' vulnerability threats, or its own threat wording names one (the title is not
    used: "AI suggests vulnerable code" is not about exploiting our components)."""
    if risk.threat_uid:
        return risk.threat_uid in rules.vulnerability_threats
    text = risk.custom_threat.lower()
    return any(word in text for word in rules.vulnerability_keywords)


def _cve_rule_fires(rule: PostureRule, cve: CveFacts, asset: AssetFacts) -> str | None:
    """The reason the rule fires for this CVE on this asset, or None."""
    if rule.trigger is Trigger.KEV_LISTED and cve.in_kev:
        when = f" on {cve.kev_date_added}" if cve.kev_date_added else ""
        ransomware = " (known use in ransomware campaigns)" if cve.known_ransomware else ""
        return f"{cve.cve_id} was added to the CISA KEV catalogue{when}{ransomware}"
    if rule.trigger is Trigger.EPSS_THRESHOLD:
        if rule.epss_at_least is not None and cve.epss is not None and cve.epss >= rule.epss_at_least:
            return f"{cve.cve_id} EPSS is {cve.epss:.3f} (threshold {rule.epss_at_least:g})"
        if (
            rule.percentile_at_least is not None
            and cve.epss_percentile is not None
            and cve.epss_percentile >= rule.percentile_at_least
        ):
            return (
                f"{cve.cve_id} EPSS percentile is {cve.epss_percentile:.3f} "
                f"(threshold {rule.percentile_at_least:g})"
            )
        return None
    if rule.trigger is Trigger.CRITICAL_EXPOSED:
        threshold = rule.cvss_at_least if rule.cvss_at_least is not None else 9.0
        if cve.cvss is not None and cve.cvss >= threshold and asset.publicly_exposed:
            return f"{cve.cve_id} has CVSS {cve.cvss:.1f} on an asset the public can reach"
    return None


def _applies_to_asset(rule: PostureRule, asset: AssetFacts) -> bool:
    if rule.in_scope_only and not asset.in_scope:
        return False
    return not (rule.ai_assets_only and not asset.is_ai)


def propose_for_cve(
    rules: RuleSet,
    cve: CveFacts,
    asset: AssetFacts,
    match: MatchFacts,
    risks: Sequence[RiskFacts],
    scale_size: int,
    impact_scale_size: int,
) -> list[ProposalDraft]:
    """Proposals for one CVE matched to one component of one asset (``risks``: the risks on the asset)."""
    drafts: list[ProposalDraft] = []
    linked = [r for r in risks if is_vulnerability_risk(r, rules)]
    for rule in rules.rules:
        if rule.trigger not in CVE_TRIGGERS or not _applies_to_asset(rule, asset):
            continue
        if match.confidence < rule.min_confidence:
            continue
        why = _cve_rule_fires(rule, cve, asset)
        if why is None:
            continue
        summary = f"{why} (affects {match.component} on {asset.name})"
        common = Evidence(
            key="",
            rule_id=rule.id,
            rule_title=rule.title,
            summary=summary,
            item_id=cve.item_id,
            trigger=rule.trigger.value,
            cve_id=cve.cve_id,
            component=match.component,
            asset=asset.name,
            cpe=match.cpe,
            method=match.method,
            confidence=match.confidence,
            possible=match.possible,
            detail=match.reason,
        )
        kind = ProposalKind.REVIEW if match.possible else ProposalKind.RAISE_LIKELIHOOD
        for risk in linked:
            proposed = raised(risk.likelihood, rule, scale_size)
            if proposed <= risk.likelihood and kind is ProposalKind.RAISE_LIKELIHOOD:
                continue
            evidence = replace(common, key=f"{rule.id}|{cve.cve_id}|risk:{risk.id}")
            drafts.append(
                ProposalDraft(
                    kind=kind,
                    asset_id=asset.id,
                    title=f"Raise the likelihood of {risk.ref}: {cve.cve_id} affects {asset.name}",
                    risk_id=risk.id,
                    current_likelihood=risk.likelihood,
                    proposed_likelihood=proposed,
                    evidence=(evidence,),
                )
            )
        if not linked:
            threat = f"Exploitation of a known vulnerability ({cve.cve_id}) in {match.component}"
            evidence = replace(common, key=f"{rule.id}|{cve.cve_id}|asset:{asset.id}")
            likelihood = rule.raise_to_at_least or rule.new_risk_likelihood
            drafts.append(
                ProposalDraft(
                    kind=ProposalKind.REVIEW if match.possible else ProposalKind.NEW_RISK,
                    asset_id=asset.id,
                    title=f"No risk on {asset.name} covers exploitation of {cve.cve_id}",
                    proposed_likelihood=max(1, min(scale_size, likelihood)),
                    proposed_impact=impact_from_cia(asset.impact_values, impact_scale_size),
                    custom_threat=threat,
                    evidence=(evidence,),
                )
            )
    return merge(drafts)


def propose_for_technique(
    rules: RuleSet,
    technique: TechniqueFacts,
    asset: AssetFacts,
    risks: Sequence[RiskFacts],
    scale_size: int,
    impact_scale_size: int,
) -> list[ProposalDraft]:
    """Proposals for an attack technique that concerns an asset."""
    drafts: list[ProposalDraft] = []
    covering = [r for r in risks if r.id in technique.covering_risk_ids]
    for rule in rules.rules:
        if rule.trigger not in (Trigger.TECHNIQUE_UNCOVERED, Trigger.TECHNIQUE_COVERED):
            continue
        if not _applies_to_asset(rule, asset) or technique.confidence < rule.min_confidence:
            continue
        if rule.item_kinds and technique.item_kind not in rule.item_kinds:
            continue
        common = Evidence(
            key="",
            rule_id=rule.id,
            rule_title=rule.title,
            summary="",
            item_id=technique.item_id,
            trigger=rule.trigger.value,
            technique_uid=technique.technique_uid,
            asset=asset.name,
            method="technique",
            confidence=technique.confidence,
            detail=technique.reason,
        )
        label = f"{technique.technique_uid} {technique.technique_name}".strip()
        if rule.trigger is Trigger.TECHNIQUE_UNCOVERED and not covering:
            summary = (
                f"'{technique.item_title}' reports {label}, which concerns {asset.name}; no risk covers it"
            )
            evidence = replace(
                common, key=f"{rule.id}|{technique.technique_uid}|asset:{asset.id}", summary=summary
            )
            drafts.append(
                ProposalDraft(
                    kind=ProposalKind.NEW_RISK,
                    asset_id=asset.id,
                    title=f"New risk on {asset.name}: {label}",
                    proposed_likelihood=min(scale_size, rule.new_risk_likelihood),
                    proposed_impact=impact_from_cia(asset.impact_values, impact_scale_size),
                    technique_uid=technique.technique_uid,
                    evidence=(evidence,),
                )
            )
        elif rule.trigger is Trigger.TECHNIQUE_COVERED:
            for risk in covering:
                summary = f"'{technique.item_title}' reports {label}, the threat of {risk.ref}"
                evidence = replace(
                    common,
                    key=f"{rule.id}|{technique.technique_uid}|risk:{risk.id}|item:{technique.item_id}",
                    summary=summary,
                )
                drafts.append(
                    ProposalDraft(
                        kind=ProposalKind.REVIEW,
                        asset_id=asset.id,
                        title=f"Review {risk.ref} in the light of new intelligence on {label}",
                        risk_id=risk.id,
                        current_likelihood=risk.likelihood,
                        proposed_likelihood=raised(risk.likelihood, rule, scale_size),
                        evidence=(evidence,),
                    )
                )
    return merge(drafts)


_HEADLINES = {
    Trigger.KEV_LISTED: "{cve} added to CISA KEV",
    Trigger.EPSS_THRESHOLD: "{cve} EPSS above threshold",
    Trigger.CRITICAL_EXPOSED: "critical {cve} on an exposed asset",
    Trigger.TECHNIQUE_UNCOVERED: "{technique} not covered by a risk",
    Trigger.TECHNIQUE_COVERED: "new intelligence on {technique}",
}


def headline(evidence: dict[str, Any], *, limit: int = 100) -> str:
    """A short line for a history entry: '<CVE> added to CISA KEV (affects <component> on <asset>)'."""
    try:
        template = _HEADLINES[Trigger(str(evidence.get("trigger", "")))]
    except ValueError:
        return str(evidence.get("summary") or evidence.get("rule_title") or "")[:limit]
    text = template.format(cve=evidence.get("cve_id", ""), technique=evidence.get("technique_uid", ""))
    component = str(evidence.get("component") or "")
    asset = str(evidence.get("asset") or "")
    for suffix in (
        f" (affects {component} on {asset})" if component and asset else "",
        f" (affects {component})" if component else "",
        f" (on {asset})" if asset else "",
        "",
    ):
        if len(text) + len(suffix) <= limit:
            return text + suffix
    return text[:limit]


_KIND_ORDER = {ProposalKind.RAISE_LIKELIHOOD: 0, ProposalKind.NEW_RISK: 1, ProposalKind.REVIEW: 2}


def merge(drafts: Iterable[ProposalDraft]) -> list[ProposalDraft]:
    """One proposal per target: the highest proposed likelihood wins and all evidence is kept.

    A review and a raise for the same risk merge into the raise (the certain match decides)."""
    by_target: dict[tuple[Any, ...], ProposalDraft] = {}
    for draft in drafts:
        key = ("risk", draft.risk_id) if draft.risk_id is not None else draft.target
        existing = by_target.get(key)
        if existing is None:
            by_target[key] = draft
            continue
        kind = min(existing.kind, draft.kind, key=lambda k: _KIND_ORDER[k])
        primary = existing if existing.kind is kind else draft
        seen = {e.key for e in existing.evidence}
        evidence = existing.evidence + tuple(e for e in draft.evidence if e.key not in seen)
        proposed = max((d.proposed_likelihood or 0) for d in (existing, draft)) or None
        impact = max((d.proposed_impact or 0) for d in (existing, draft)) or None
        by_target[key] = replace(
            primary, kind=kind, evidence=evidence, proposed_likelihood=proposed, proposed_impact=impact
        )
    return list(by_target.values())
