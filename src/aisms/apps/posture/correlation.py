"""Correlation: match new intelligence to assets and turn matches into risk re-assessment proposals.

`correlate()` processes the intel change log (IntelEvent rows with processed_at null) and is idempotent:
a match is keyed by asset, component, item and technique; a proposal's evidence keys are never proposed
twice; an open proposal for the same risk (or the same new risk) is superseded by a newer one that
carries its evidence forward. `full=True` re-examines every vulnerability and technique item (after the
asset inventory changed).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.notifications import after_commit, notify
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink
from aisms.apps.intel.models import IntelEvent, IntelItem, Vulnerability
from aisms.apps.posture.models import AssetIntelMatch, Proposal, ProposalStatus
from aisms.apps.risks.models import Risk, RiskStatus
from aisms.apps.risks.services import current_method
from aisms.catalogue.model import Relation
from aisms.catalogue.posture_rules import load_builtin_rules as load_posture_rules
from aisms.catalogue.threat_rules import load_builtin_rules as load_threat_rules
from aisms.domain.assets import AssetKind
from aisms.domain.posture import rules as posture
from aisms.domain.posture.cpe import try_parse_cpe
from aisms.domain.posture.matching import (
    AssetFacts,
    ComponentFacts,
    ComponentMatch,
    TechniqueMatch,
    VulnerabilityFacts,
    match_components,
    match_technique,
)
from aisms.domain.posture.names import tokens
from aisms.domain.threat_suggestions import PROPERTIES, ThreatRule

logger = logging.getLogger(__name__)

BATCH = 500
Progress = Callable[[int, int], None]


@dataclass
class CorrelationResult:
    events: int = 0
    items: int = 0
    matches_new: int = 0
    matches_seen: int = 0
    proposals_new: int = 0
    proposals_superseded: int = 0
    emerging_new: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "events": self.events,
            "items": self.items,
            "matches_new": self.matches_new,
            "matches_seen": self.matches_seen,
            "proposals_new": self.proposals_new,
            "proposals_superseded": self.proposals_superseded,
            "emerging_new": self.emerging_new,
            "notes": self.notes,
        }


@lru_cache(maxsize=1)
def _threat_rules(catalogue_size: int) -> tuple[ThreatRule, ...]:
    known = set(CatalogueEntry.objects.values_list("uid", flat=True))
    return tuple(load_threat_rules(known))


def posture_rules() -> posture.RuleSet:
    return load_posture_rules()


class _Context:
    """The organisation as the domain sees it, loaded once per run (set-based, no N+1)."""

    def __init__(self) -> None:
        method = current_method()
        self.method_version = method.version
        self.scale = len(method.likelihood)
        self.impact_scale = len(method.impact)
        self.rules = posture_rules()
        self.threat_rules = list(_threat_rules(CatalogueEntry.objects.count()))
        assets = Asset.objects.filter(archived=False).prefetch_related(
            Prefetch("components", queryset=SoftwareComponent.objects.all()),
            Prefetch(
                "risks",
                queryset=Risk.objects.exclude(status=RiskStatus.CLOSED).select_related("threat"),
            ),
        )
        self.assets: dict[int, Asset] = {}
        self.facts: dict[int, AssetFacts] = {}
        self.components: list[ComponentFacts] = []
        self.by_token: dict[str, list[ComponentFacts]] = defaultdict(list)
        self.risks: dict[int, list[posture.RiskFacts]] = {}
        self.risk_threats: dict[int, dict[int, str]] = {}
        for asset in assets:
            self.assets[asset.pk] = asset
            self.facts[asset.pk] = AssetFacts(
                id=asset.pk,
                name=asset.name,
                kind=asset.kind,
                is_ai=AssetKind(asset.kind).is_ai,
                in_scope=asset.in_scope,
                publicly_exposed=asset.publicly_exposed,
                properties={name: getattr(asset, name) for name in PROPERTIES},
                owner_id=asset.owner_id,
                impact_values=(asset.confidentiality, asset.integrity, asset.availability),
            )
            for component in asset.components.all():
                facts = ComponentFacts(
                    id=component.pk,
                    asset_id=asset.pk,
                    vendor=component.vendor,
                    product=component.product,
                    version=component.version,
                    cpe=component.cpe,
                )
                self.components.append(facts)
                names = {component.product}
                cpe = try_parse_cpe(component.cpe) if component.cpe else None
                if cpe is not None:
                    names.add(cpe.product_text)
                for name in names:
                    for token in tokens(name):
                        self.by_token[token].append(facts)
            risks = list(asset.risks.all())
            self.risks[asset.pk] = [
                posture.RiskFacts(
                    id=r.pk,
                    ref=r.ref,
                    title=r.title,
                    likelihood=r.current_likelihood,
                    impact=r.current_impact,
                    threat_uid=r.threat.uid if r.threat else "",
                    custom_threat=r.custom_threat,
                )
                for r in risks
            ]
            self.risk_threats[asset.pk] = {r.pk: r.threat.uid for r in risks if r.threat}
        self.equivalents = _equivalents()
        self.technique_names = dict(
            CatalogueEntry.objects.filter(
                source__key__in=["atlas", "attack", "owasp-llm", "owasp-ml"]
            ).values_list("uid", "name")
        )

    def candidates(self, vuln: Vulnerability) -> list[ComponentFacts]:
        """Components whose product name shares a token with the vulnerability's products."""
        names = {vuln.product} if vuln.product else set()
        for entry in vuln.cpe_matches or []:
            if isinstance(entry, dict) and isinstance(entry.get("criteria"), str):
                cpe = try_parse_cpe(entry["criteria"])
                if cpe is not None:
                    names.add(cpe.product_text)
        found: dict[int, ComponentFacts] = {}
        for name in names:
            for token in tokens(name):
                for component in self.by_token.get(token, []):
                    found[component.id] = component
        return list(found.values())


def _equivalents() -> dict[str, frozenset[str]]:
    """OWASP entries and the ATLAS techniques they relate to, both ways."""
    pairs = CatalogueLink.objects.filter(relation=Relation.RELATED_TECHNIQUE.value).values_list(
        "source__uid", "target__uid"
    )
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        out[a].add(b)
        out[b].add(a)
    return {k: frozenset(v) for k, v in out.items()}


def _match_key(asset_id: int, component_id: int | None, item_id: int, technique: str) -> str:
    return f"{asset_id}|{component_id or '-'}|{item_id}|{technique or '-'}"


class _Run:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.ctx = _Context()
        self.result = CorrelationResult()
        self.drafts: list[tuple[posture.ProposalDraft, set[int]]] = []

    # ---------------------------------------------------------------- matches

    def _save_match(
        self,
        *,
        asset_id: int,
        item: IntelItem,
        component_id: int | None = None,
        vulnerability: Vulnerability | None = None,
        technique_uid: str = "",
        method: str,
        confidence: float,
        possible: bool,
        criterion: str,
        reason: str,
    ) -> AssetIntelMatch:
        key = _match_key(asset_id, component_id, item.pk, technique_uid)
        match, created = AssetIntelMatch.objects.get_or_create(
            key=key,
            defaults={
                "asset_id": asset_id,
                "component_id": component_id,
                "item": item,
                "vulnerability": vulnerability,
                "technique_uid": technique_uid,
                "method": method,
                "confidence": confidence,
                "possible": possible,
                "criterion": criterion[:600],
                "reason": reason,
                "first_matched_at": self.now,
                "last_matched_at": self.now,
            },
        )
        if created:
            self.result.matches_new += 1
        else:
            self.result.matches_seen += 1
            changed = (match.confidence, match.possible, match.reason) != (confidence, possible, reason)
            match.last_matched_at = self.now
            if changed:
                match.confidence, match.possible, match.reason = confidence, possible, reason
                match.criterion = criterion[:600]
                match.save()
            else:
                AssetIntelMatch.objects.filter(pk=match.pk).update(last_matched_at=self.now)
        return match

    def vulnerability(self, vuln: Vulnerability) -> None:
        facts = VulnerabilityFacts(
            cve_id=vuln.cve_id,
            cpe_matches=[e for e in (vuln.cpe_matches or []) if isinstance(e, dict)],
            vendor_project=vuln.vendor_project,
            product=vuln.product,
        )
        found: list[ComponentMatch] = match_components(self.ctx.candidates(vuln), facts)
        cve = posture.CveFacts(
            item_id=vuln.item_id,
            cve_id=vuln.cve_id,
            title=vuln.item.title,
            in_kev=vuln.in_kev,
            kev_date_added=vuln.kev_date_added.isoformat() if vuln.kev_date_added else "",
            known_ransomware=bool(vuln.kev_known_ransomware),
            epss=vuln.epss,
            epss_percentile=vuln.epss_percentile,
            cvss=vuln.cvss_score,
        )
        components = {c.id: c for c in self.ctx.components}
        for m in found:
            row = self._save_match(
                asset_id=m.asset_id,
                item=vuln.item,
                component_id=m.component_id,
                vulnerability=vuln,
                method=m.method.value,
                confidence=m.confidence,
                possible=m.possible,
                criterion=m.criterion,
                reason=m.reason,
            )
            if row.dismissed:
                continue
            component = components[m.component_id]
            match_facts = posture.MatchFacts(
                component=component.label,
                cpe=component.cpe,
                method=m.method.value,
                confidence=m.confidence,
                possible=m.possible,
                reason=m.reason,
            )
            for draft in posture.propose_for_cve(
                self.ctx.rules,
                cve,
                self.ctx.facts[m.asset_id],
                match_facts,
                self.ctx.risks.get(m.asset_id, []),
                self.ctx.scale,
                self.ctx.impact_scale,
            ):
                self.drafts.append((draft, {vuln.item_id}))

    def techniques(self, item: IntelItem) -> None:
        for uid in item.technique_uids or []:
            if not isinstance(uid, str):
                continue
            for asset_id, facts in self.ctx.facts.items():
                found: TechniqueMatch | None = match_technique(
                    uid, facts, self.ctx.threat_rules, self.ctx.risk_threats[asset_id], self.ctx.equivalents
                )
                if found is None:
                    continue
                row = self._save_match(
                    asset_id=asset_id,
                    item=item,
                    technique_uid=uid,
                    method="technique",
                    confidence=found.confidence,
                    possible=False,
                    criterion=uid,
                    reason=found.reason,
                )
                if row.dismissed:
                    continue
                technique = posture.TechniqueFacts(
                    item_id=item.pk,
                    item_kind=item.kind,
                    item_title=item.title,
                    technique_uid=uid,
                    technique_name=self.ctx.technique_names.get(uid, ""),
                    confidence=found.confidence,
                    reason=found.reason,
                    covering_risk_ids=found.risk_ids,
                )
                for draft in posture.propose_for_technique(
                    self.ctx.rules,
                    technique,
                    facts,
                    self.ctx.risks.get(asset_id, []),
                    self.ctx.scale,
                    self.ctx.impact_scale,
                ):
                    self.drafts.append((draft, {item.pk}))

    # ---------------------------------------------------------------- proposals

    def save_proposals(self) -> list[Proposal]:
        used: set[str] = set()
        for keys in Proposal.objects.values_list("evidence_keys", flat=True):
            used.update(keys or [])
        items_by_target: dict[tuple[object, ...], set[int]] = defaultdict(set)
        for draft, items in self.drafts:
            items_by_target[_target(draft)] |= items
        created: list[Proposal] = []
        techniques = {
            e.uid: e
            for e in CatalogueEntry.objects.filter(
                uid__in={d.technique_uid for d, _ in self.drafts if d.technique_uid}
            )
        }
        for draft in posture.merge(d for d, _ in self.drafts):
            fresh = tuple(e for e in draft.evidence if e.key not in used)
            if not fresh:
                continue
            previous = _open_for_target(draft)
            evidence = [e.as_dict() for e in fresh]
            keys = [e.key for e in fresh]
            proposed = draft.proposed_likelihood
            item_ids = set(items_by_target[_target(draft)])
            if previous is not None:
                known = set(keys)
                evidence += [e for e in previous.evidence if e.get("key") not in known]
                keys += [k for k in previous.evidence_keys if k not in known]
                if previous.proposed_likelihood and (proposed or 0) < previous.proposed_likelihood:
                    proposed = previous.proposed_likelihood
                item_ids |= set(previous.items.values_list("pk", flat=True))
            proposal = Proposal(
                kind=draft.kind.value,
                title=draft.title[:400],
                asset_id=draft.asset_id,
                risk_id=draft.risk_id,
                current_likelihood=draft.current_likelihood,
                proposed_likelihood=proposed,
                proposed_impact=draft.proposed_impact,
                technique=techniques.get(draft.technique_uid),
                technique_uid=draft.technique_uid,
                custom_threat=draft.custom_threat[:300],
                evidence=evidence,
                evidence_keys=keys,
                rules_version=self.ctx.rules.version,
                method_version=self.ctx.method_version,
                created_at=self.now,
            )
            proposal._change_reason = "proposed by correlation"  # type: ignore[attr-defined]
            proposal.save()
            proposal.items.set(item_ids)
            used.update(keys)
            if previous is not None:
                previous.status = ProposalStatus.SUPERSEDED
                previous.superseded_by = proposal
                previous._change_reason = f"superseded by proposal #{proposal.pk}"  # type: ignore[attr-defined]
                previous.save()
                self.result.proposals_superseded += 1
            created.append(proposal)
        self.result.proposals_new += len(created)
        return created


def _target(draft: posture.ProposalDraft) -> tuple[object, ...]:
    if draft.risk_id is not None:
        return ("risk", draft.risk_id)
    return draft.target


def _open_for_target(draft: posture.ProposalDraft) -> Proposal | None:
    proposals = Proposal.objects.filter(status=ProposalStatus.OPEN)
    if draft.risk_id is not None:
        proposals = proposals.filter(risk_id=draft.risk_id)
    else:
        proposals = proposals.filter(
            risk__isnull=True,
            kind=draft.kind.value,
            asset_id=draft.asset_id,
            technique_uid=draft.technique_uid,
            custom_threat=draft.custom_threat[:300],
        )
    return proposals.order_by("-created_at", "-pk").first()


def _notify_owners(proposals: Iterable[Proposal]) -> None:
    for proposal in proposals:
        owner_id = proposal.responsible_id
        if owner_id is None:
            continue
        owner = User.objects.filter(pk=owner_id).first()
        if owner is None:
            continue
        notify(
            owner,
            subject=f"Risk re-assessment proposed: {proposal.title}",
            body="\n".join(e.get("summary", "") for e in proposal.evidence[:5]),
            url=proposal.get_absolute_url(),
            key=f"posture-proposal-{proposal.pk}",
        )


def correlate(
    *,
    now: dt.datetime | None = None,
    full: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> CorrelationResult:
    """Process unprocessed intel events (or, with ``full``, every vulnerability and technique item)."""
    now = now or timezone.now()
    say = log or (lambda message: None)
    with transaction.atomic():
        run = _Run(now)
        events = list(
            IntelEvent.objects.filter(processed_at__isnull=True).order_by("pk").values_list("pk", "item_id")
        )
        item_ids = {item_id for _, item_id in events}
        run.result.events = len(events)
        if full:
            item_ids |= set(
                IntelItem.objects.filter(Q(vulnerability__isnull=False) | ~Q(technique_uids=[])).values_list(
                    "pk", flat=True
                )
            )
        ordered = sorted(item_ids)
        run.result.items = len(ordered)
        say(f"{len(events)} new intel events, {len(ordered)} items to correlate")
        for start in range(0, len(ordered), BATCH):
            batch = IntelItem.objects.filter(pk__in=ordered[start : start + BATCH]).select_related(
                "vulnerability"
            )
            for item in batch:
                vuln = getattr(item, "vulnerability", None) if _has_vulnerability(item) else None
                if vuln is not None:
                    run.vulnerability(vuln)
                if item.technique_uids:
                    run.techniques(item)
            if progress:
                progress(min(start + BATCH, len(ordered)), len(ordered))
        proposals = run.save_proposals()
        from aisms.apps.posture.emerging import find_emerging  # the classifier is heavy

        run.result.emerging_new, note = find_emerging(ordered, now=now)
        if note:
            run.result.notes.append(note)
        IntelEvent.objects.filter(pk__in=[pk for pk, _ in events]).update(processed_at=now)
        after_commit(lambda: _notify_owners(proposals))
    say(
        f"{run.result.matches_new} new matches, {run.result.proposals_new} proposals, "
        f"{run.result.emerging_new} emerging-threat candidates"
    )
    return run.result


def _has_vulnerability(item: IntelItem) -> bool:
    try:
        item.vulnerability  # noqa: B018  # a reverse one-to-one raises when absent
    except Vulnerability.DoesNotExist:
        return False
    return True
