"""Suggest catalogue threats for an asset from rules held as data (never evaluated code)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Asset properties a rule may test; each is True, False or None (unknown) on an asset.
PROPERTIES = (
    "learns_from_user_data",
    "processes_personal_data",
    "reads_untrusted_content",
    "can_act",
    "publicly_exposed",
)


@dataclass(frozen=True)
class AssetProfile:
    kind: str
    properties: dict[str, bool | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ThreatRule:
    id: str
    kinds: frozenset[str]
    properties: dict[str, bool]  # every one must hold (unknown never matches)
    why: str
    threats: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    threat_uid: str
    reasons: tuple[str, ...]  # the 'why' of every rule that suggested it
    rule_ids: tuple[str, ...]


def rule_matches(rule: ThreatRule, asset: AssetProfile) -> bool:
    if rule.kinds and asset.kind not in rule.kinds:
        return False
    return all(asset.properties.get(name) is expected for name, expected in rule.properties.items())


def suggest(
    asset: AssetProfile, rules: list[ThreatRule], *, exclude: frozenset[str] = frozenset()
) -> list[Suggestion]:
    """Threats the rules suggest for the asset, in rule order, merged across rules, minus `exclude`."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for rule in rules:
        if not rule_matches(rule, asset):
            continue
        for uid in rule.threats:
            if uid in exclude:
                continue
            reasons, ids = found.setdefault(uid, ([], []))
            reasons.append(rule.why)
            ids.append(rule.id)
    return [Suggestion(uid, tuple(reasons), tuple(ids)) for uid, (reasons, ids) in found.items()]
