"""Run the rules over a threat model: one threat per (rule, element) match, with a stable id for diffing,
the rationale (what triggered it), default scores and mitigations; and the diff of two analyses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from aisms.domain.threatmodel.model import ThreatModel
from aisms.domain.threatmodel.rules import CatalogueRef, Rule, Stride, match_component, match_flow

ANALYSIS_FORMAT = 1


@dataclass(frozen=True)
class Reference:
    uid: str
    name: str


@dataclass(frozen=True)
class Threat:
    id: str  # "<rule id>@<element id>": stable across re-analyses
    rule_id: str
    element_id: str
    element_type: str  # "component" or "flow"
    element_name: str
    title: str
    description: str
    stride: str | None
    threats: tuple[Reference, ...]
    mitigations: tuple[Reference, ...]
    likelihood: int
    impact: int
    rationale: tuple[str, ...]
    assets: tuple[str, ...]
    line: int | None
    origin: str = "builtin"

    @property
    def is_ai(self) -> bool:
        return bool(self.threats)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def stride_label(self) -> str:
        return Stride(self.stride).label if self.stride else ""

    @property
    def catalogue_ids(self) -> list[str]:
        return [t.uid for t in self.threats]


@dataclass(frozen=True)
class Analysis:
    model_name: str
    threats: tuple[Threat, ...]
    rule_count: int
    format: int = ANALYSIS_FORMAT

    def by_element(self) -> dict[str, list[Threat]]:
        out: dict[str, list[Threat]] = {}
        for threat in self.threats:
            out.setdefault(threat.element_id, []).append(threat)
        return out

    def get(self, threat_id: str) -> Threat | None:
        for threat in self.threats:
            if threat.id == threat_id:
                return threat
        return None

    def counts(self) -> dict[str, int]:
        return {
            "threats": len(self.threats),
            "ai": sum(1 for t in self.threats if t.is_ai),
            "stride": sum(1 for t in self.threats if t.stride),
            "components": len({t.element_id for t in self.threats if t.element_type == "component"}),
            "flows": len({t.element_id for t in self.threats if t.element_type == "flow"}),
        }


def _refs(uids: Iterable[str], catalogue: Mapping[str, CatalogueRef]) -> tuple[Reference, ...]:
    return tuple(Reference(uid, catalogue[uid].name if uid in catalogue else uid) for uid in uids)


def analyze(model: ThreatModel, rules: Iterable[Rule], catalogue: Mapping[str, CatalogueRef]) -> Analysis:
    """Every threat the rules produce for the model, ordered by element (file order) then rule."""
    rule_list = list(rules)
    threats: list[Threat] = []
    for component in model.components:
        for rule in rule_list:
            reasons = match_component(rule, component)
            if reasons is None:
                continue
            threats.append(
                _threat(
                    rule,
                    component.id,
                    "component",
                    component.name,
                    reasons,
                    component.line,
                    catalogue,
                    (component.asset,) if component.asset else (),
                )
            )
    for flow in model.flows:
        name = model.element_name(flow.id)
        assets = tuple(
            dict.fromkeys(
                a for a in (model.component(flow.source).asset, model.component(flow.target).asset) if a
            )
        )
        for rule in rule_list:
            reasons = match_flow(rule, model, flow)
            if reasons is None:
                continue
            threats.append(_threat(rule, flow.id, "flow", name, reasons, flow.line, catalogue, assets))
    return Analysis(model_name=model.name, threats=tuple(threats), rule_count=len(rule_list))


def _threat(
    rule: Rule,
    element_id: str,
    element_type: str,
    element_name: str,
    reasons: list[str],
    line: int | None,
    catalogue: Mapping[str, CatalogueRef],
    assets: tuple[str, ...],
) -> Threat:
    return Threat(
        id=f"{rule.id}@{element_id}",
        rule_id=rule.id,
        element_id=element_id,
        element_type=element_type,
        element_name=element_name,
        title=rule.title.replace("{element}", element_name),
        description=rule.description.replace("{element}", element_name),
        stride=rule.stride.value if rule.stride else None,
        threats=_refs(rule.threats, catalogue),
        mitigations=_refs(rule.mitigations, catalogue),
        likelihood=rule.likelihood,
        impact=rule.impact,
        rationale=tuple(reasons) or ("applies to every element of this type",),
        assets=assets,
        line=line,
        origin=rule.origin,
    )


# ------------------------------------------------------------------ JSON form


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    return {
        "format": analysis.format,
        "model": analysis.model_name,
        "rule_count": analysis.rule_count,
        "counts": analysis.counts(),
        "threats": [asdict(t) for t in analysis.threats],
    }


def analysis_from_dict(data: Mapping[str, Any]) -> Analysis:
    threats = []
    for raw in data.get("threats", []):
        threats.append(
            Threat(
                **{
                    **raw,
                    "threats": tuple(Reference(**r) for r in raw["threats"]),
                    "mitigations": tuple(Reference(**r) for r in raw["mitigations"]),
                    "rationale": tuple(raw["rationale"]),
                    "assets": tuple(raw["assets"]),
                }
            )
        )
    return Analysis(
        model_name=data.get("model", ""),
        threats=tuple(threats),
        rule_count=int(data.get("rule_count", 0)),
        format=int(data.get("format", ANALYSIS_FORMAT)),
    )


# ------------------------------------------------------------------ diff


@dataclass(frozen=True)
class AnalysisDiff:
    appeared: tuple[Threat, ...]
    disappeared: tuple[Threat, ...]
    changed: tuple[tuple[Threat, Threat], ...]  # (before, after): same id, different rationale or scores
    unchanged: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not (self.appeared or self.disappeared or self.changed)


def diff_analyses(before: Analysis, after: Analysis) -> AnalysisDiff:
    """What threats appeared and disappeared between two analyses (matched by their stable ids)."""
    old = {t.id: t for t in before.threats}
    new = {t.id: t for t in after.threats}
    appeared = tuple(t for t in after.threats if t.id not in old)
    disappeared = tuple(t for t in before.threats if t.id not in new)
    changed = []
    unchanged = 0
    for t in after.threats:
        if t.id not in old:
            continue
        o = old[t.id]
        if (o.rationale, o.likelihood, o.impact, o.title) != (t.rationale, t.likelihood, t.impact, t.title):
            changed.append((o, t))
        else:
            unchanged += 1
    return AnalysisDiff(appeared, disappeared, tuple(changed), unchanged)
