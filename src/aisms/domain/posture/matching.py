"""Which assets a piece of intelligence concerns: vulnerabilities to software components (by CPE name
and version range, or by vendor/product name) and attack techniques to assets (through the asset-threat
rules and the threats of the risks on each asset)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aisms.domain.posture.cpe import (
    ANY,
    Cpe,
    Criterion,
    CriterionError,
    best_cpe_match,
    criterion_from_nvd,
    match_cpe,
    quote,
    try_parse_cpe,
)
from aisms.domain.posture.names import match_names
from aisms.domain.posture.versions import Tri
from aisms.domain.threat_suggestions import AssetProfile, ThreatRule, rule_matches


class MatchMethod(StrEnum):
    CPE = "cpe"
    NAME = "name"
    TECHNIQUE = "technique"


# How much a match is worth; the proposal rules set a minimum.
CONFIDENCE = {
    "cpe": 1.0,  # CPE name and version range agree
    "cpe-possible": 0.6,  # CPE name agrees, the version could not be decided
    "name-version": 0.7,  # vendor/product names agree with an NVD criterion, version in range
    "name-possible": 0.4,  # names agree, version unknown or not given (e.g. KEV without an NVD record)
    "technique-risk": 0.9,  # a risk on the asset names the technique as its threat
    "technique-rule": 0.75,  # an asset-threat rule says the technique concerns this kind of asset
}


@dataclass(frozen=True)
class ComponentFacts:
    id: int
    asset_id: int
    vendor: str
    product: str
    version: str
    cpe: str

    @property
    def label(self) -> str:
        return f"{self.product} {self.version}".strip()


@dataclass(frozen=True)
class VulnerabilityFacts:
    cve_id: str
    cpe_matches: Sequence[Mapping[str, object]] = ()
    vendor_project: str = ""
    product: str = ""


@dataclass(frozen=True)
class ComponentMatch:
    component_id: int
    asset_id: int
    method: MatchMethod
    confidence: float
    possible: bool  # True when the version could not be decided: an analyst should confirm
    criterion: str
    reason: str


def parse_criteria(entries: Iterable[Mapping[str, object]]) -> tuple[list[Criterion], list[str]]:
    """The vulnerable criteria of an NVD cpeMatch list, and a message for each unusable entry."""
    criteria: list[Criterion] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        try:
            criterion = criterion_from_nvd(dict(entry))
        except CriterionError as exc:
            problems.append(f"cpe_matches[{index}]: {exc}")
            continue
        if criterion.vulnerable:
            criteria.append(criterion)
    return criteria, problems


def _by_cpe(component: ComponentFacts, cpe: Cpe, criteria: list[Criterion]) -> ComponentMatch | None:
    found = best_cpe_match(cpe, criteria, version=component.version or None)
    if found is None:
        return None
    possible = found.result is Tri.UNKNOWN
    return ComponentMatch(
        component_id=component.id,
        asset_id=component.asset_id,
        method=MatchMethod.CPE,
        confidence=CONFIDENCE["cpe-possible" if possible else "cpe"],
        possible=possible,
        criterion=found.criterion.describe(),
        reason=found.reason,
    )


def _by_name_and_criteria(component: ComponentFacts, criteria: list[Criterion]) -> ComponentMatch | None:
    best: ComponentMatch | None = None
    for criterion in criteria:
        names = match_names(
            component.vendor, component.product, criterion.cpe.vendor_text, criterion.cpe.product_text
        )
        if not names.matches:
            continue
        # Put the component in the criterion's name, with its own version, and match that.
        version = quote(component.version.strip()) if component.version.strip() else ANY
        synthetic = Cpe(criterion.cpe.part, criterion.cpe.vendor, criterion.cpe.product, version)
        found = match_cpe(synthetic, criterion)
        if found.result is Tri.NO:
            continue
        possible = found.result is Tri.UNKNOWN
        candidate = ComponentMatch(
            component_id=component.id,
            asset_id=component.asset_id,
            method=MatchMethod.NAME,
            confidence=CONFIDENCE["name-possible" if possible else "name-version"],
            possible=possible,
            criterion=criterion.describe(),
            reason=f"vendor and product names match; {found.reason}",
        )
        if not possible:
            return candidate
        best = best or candidate
    return best


def _by_kev_names(
    component: ComponentFacts, cpe: Cpe | None, vuln: VulnerabilityFacts
) -> ComponentMatch | None:
    if not (vuln.vendor_project and vuln.product):
        return None
    candidates = [(component.vendor, component.product)]
    if cpe is not None:
        candidates.insert(0, (cpe.vendor_text, cpe.product_text))
    for vendor, product in candidates:
        if match_names(vendor, product, vuln.vendor_project, vuln.product).matches:
            return ComponentMatch(
                component_id=component.id,
                asset_id=component.asset_id,
                method=MatchMethod.NAME,
                confidence=CONFIDENCE["name-possible"],
                possible=True,
                criterion=f"{vuln.vendor_project} {vuln.product}",
                reason="vendor and product names match; no affected version range is known",
            )
    return None


def match_component(
    component: ComponentFacts, vuln: VulnerabilityFacts, criteria: list[Criterion] | None = None
) -> ComponentMatch | None:
    """How (and how surely) the vulnerability affects the component, or None when it does not.

    A component with a CPE name is judged by its CPE when the vulnerability has NVD criteria (a CPE
    mismatch is final). Without a CPE name, the vendor and product names are compared with the
    criteria's, and the component's version with the range. Without criteria (a KEV entry with no NVD
    record yet), only the names can be compared: a possible match."""
    if criteria is None:
        criteria, _ = parse_criteria(vuln.cpe_matches)
    cpe = try_parse_cpe(component.cpe) if component.cpe.strip() else None
    if criteria:
        if cpe is not None:
            return _by_cpe(component, cpe, criteria)
        return _by_name_and_criteria(component, criteria)
    return _by_kev_names(component, cpe, vuln)


def match_components(components: Iterable[ComponentFacts], vuln: VulnerabilityFacts) -> list[ComponentMatch]:
    criteria, _ = parse_criteria(vuln.cpe_matches)
    found = (match_component(c, vuln, criteria) for c in components)
    return [m for m in found if m is not None]


# ------------------------------------------------------------------ techniques


_SUB_TECHNIQUE = re.compile(r"^(?P<parent>.*T\d{4})\.\d{3}$")


def parent_uid(uid: str) -> str | None:
    """The parent technique of a sub-technique ("atlas:AML.T0051.001" -> "atlas:AML.T0051")."""
    found = _SUB_TECHNIQUE.match(uid)
    return found["parent"] if found else None


def related_uids(uid: str, equivalents: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The uid, its parent technique and the entries linked to either (e.g. OWASP <-> ATLAS)."""
    base = {uid}
    parent = parent_uid(uid)
    if parent:
        base.add(parent)
    out = set(base)
    for one in base:
        out |= equivalents.get(one, frozenset())
    return frozenset(out)


@dataclass(frozen=True)
class AssetFacts:
    id: int
    name: str
    kind: str
    is_ai: bool
    in_scope: bool
    publicly_exposed: bool | None = None
    properties: Mapping[str, bool | None] = field(default_factory=dict)
    owner_id: int | None = None
    impact_values: tuple[str, ...] = ()  # confidentiality, integrity, availability


@dataclass(frozen=True)
class TechniqueMatch:
    asset_id: int
    technique_uid: str
    confidence: float
    risk_ids: tuple[int, ...]  # risks on the asset whose threat is the technique (or linked to it)
    rule_ids: tuple[str, ...]  # asset-threat rules that say the technique concerns the asset
    reason: str

    @property
    def covered(self) -> bool:
        return bool(self.risk_ids)


def match_technique(
    technique_uid: str,
    asset: AssetFacts,
    rules: Sequence[ThreatRule],
    risk_threats: Mapping[int, str],
    equivalents: Mapping[str, frozenset[str]] | None = None,
) -> TechniqueMatch | None:
    """Whether the technique concerns the asset.

    ``risk_threats`` maps the id of each risk on the asset to its threat uid. A risk whose threat is the
    technique, its parent or a linked entry covers it; an asset-threat rule that matches the asset and
    names one of those uids makes it relevant even when no risk covers it yet."""
    uids = related_uids(technique_uid, equivalents or {})
    risks = tuple(sorted(rid for rid, threat in risk_threats.items() if threat in uids))
    profile = AssetProfile(kind=asset.kind, properties=dict(asset.properties))
    rule_ids = tuple(r.id for r in rules if rule_matches(r, profile) and uids & set(r.threats))
    if not risks and not rule_ids:
        return None
    if risks:
        reason = "a risk on this asset has the technique as its threat"
        confidence = CONFIDENCE["technique-risk"]
    else:
        reason = "the asset-threat rules say it concerns this asset: " + ", ".join(rule_ids)
        confidence = CONFIDENCE["technique-rule"]
    return TechniqueMatch(asset.id, technique_uid, confidence, risks, rule_ids, reason)
