"""The optional language-model assistant, pure part: prompts for an OpenAI-compatible chat endpoint and
the checking of what comes back. A drafted model must pass the model schema; a proposed threat must name
an element of the model and catalogue identifiers that exist, or it is dropped with the reason. Nothing
the model returns is used until a person accepts it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aisms.domain.threatmodel.analysis import Analysis, Reference, Threat
from aisms.domain.threatmodel.model import ComponentKind, ComponentProperty, FlowProperty, ThreatModel
from aisms.domain.threatmodel.model_file import ModelInvalidError, ModelProblem, parse_model
from aisms.domain.threatmodel.rules import MITIGATION_PREFIXES, THREAT_KINDS, CatalogueRef

MAX_PROPOSALS = 25
_FENCE = re.compile(r"```(?:[a-zA-Z]+)?\s*\n(.*?)```", re.DOTALL)
_SLUG = re.compile(r"[^a-z0-9]+")

EXAMPLE = """threatmodel: 1
name: Support chatbot
description: Customer chat answering from help-centre articles.
boundaries:
  - {id: internet, name: Internet}
  - {id: cloud, name: Company cloud}
components:
  - {id: customer, name: Customer, kind: user, boundary: internet}
  - id: bot
    name: Support bot
    kind: llm_application
    boundary: cloud
    properties: [public_facing, output_shown_to_users]
  - {id: articles, name: Help-centre index, kind: retrieval_store, boundary: cloud}
flows:
  - {id: question, from: customer, to: bot, label: Question, properties: [encrypted]}
  - {id: retrieval, from: articles, to: bot, label: Retrieved articles}
"""


class AssistantError(Exception):
    """The endpoint's answer cannot be used (not JSON, no message, nothing usable in it)."""


def chat_body(model: str, messages: list[dict[str, str]]) -> dict[str, Any]:
    return {"model": model, "messages": messages, "temperature": 0, "stream": False}


def draft_messages(description: str) -> list[dict[str, str]]:
    system = (
        "You are a security architect who writes threat models of AI systems as YAML. Answer with one YAML "
        "document only, in exactly this format (format version 1):\n"
        f"{EXAMPLE}\n"
        f"Component kinds: {', '.join(k.value for k in ComponentKind)}.\n"
        f"Component properties: {', '.join(p.value for p in ComponentProperty)}.\n"
        f"Flow properties: {', '.join(p.value for p in FlowProperty)}.\n"
        "Use only these kinds and properties. Ids are lower-case with '-'. Every flow joins two components."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": description.strip()[:8000]}]


def threat_messages(
    source: str, analysis: Analysis, catalogue: Mapping[str, CatalogueRef]
) -> list[dict[str, str]]:
    known = sorted({r.uid for t in analysis.threats for r in t.threats})
    threat_ids = sorted(uid for uid, ref in catalogue.items() if ref.kind in THREAT_KINDS)
    system = (
        "You review threat models of AI systems. Propose threats the listed analysis misses. Answer with a "
        'JSON object {"threats": [...]} only; each threat has: "element" (a component or flow id of the '
        "model), "
        '"title", "description", "catalogue" (list of threat identifiers from the allowed list), '
        '"mitigations" (list of identifiers of ATLAS mitigations atlas:AML.M...., ISO/IEC 27002 controls '
        'iso27002:2022:x.y or ISO/IEC 42001 controls iso42001:2023:A.x.y), "likelihood" and "impact" (1-5), '
        f'"rationale". At most {MAX_PROPOSALS} threats.\nAllowed threat identifiers: {", ".join(threat_ids)}.'
    )
    user = (
        f"Threat model:\n{source[:20000]}\n\nThreats already found (catalogue identifiers): "
        f"{', '.join(known) or 'none'}.\nThreat titles already found:\n"
        + "\n".join(f"- {t.title}" for t in analysis.threats[:200])
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def message_content(body: bytes) -> str:
    """The assistant message of a chat-completions answer."""
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AssistantError("the endpoint's answer is not a chat-completions response") from exc
    if not isinstance(content, str) or not content.strip():
        raise AssistantError("the endpoint returned an empty message")
    return content


def _unfenced(content: str) -> str:
    match = _FENCE.search(content)
    return (match.group(1) if match else content).strip() + "\n"


@dataclass(frozen=True)
class Draft:
    source: str
    model: ThreatModel | None
    problems: tuple[ModelProblem, ...]


def check_draft(content: str) -> Draft:
    """The drafted YAML and whether it passes the model schema (problems name lines and fields)."""
    source = _unfenced(content)
    try:
        return Draft(source, parse_model(source, "draft.yaml"), ())
    except ModelInvalidError as exc:
        return Draft(source, None, tuple(exc.problems))


@dataclass(frozen=True)
class Proposal:
    element: str
    title: str
    description: str
    catalogue: tuple[str, ...]
    mitigations: tuple[str, ...]
    likelihood: int
    impact: int
    rationale: str

    @property
    def key(self) -> str:
        return "assistant-" + (_SLUG.sub("-", self.title.lower()).strip("-")[:60] or "threat")

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "title": self.title,
            "description": self.description,
            "catalogue": list(self.catalogue),
            "mitigations": list(self.mitigations),
            "likelihood": self.likelihood,
            "impact": self.impact,
            "rationale": self.rationale,
        }


def _score(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None


def check_proposal(
    raw: Any, model: ThreatModel, catalogue: Mapping[str, CatalogueRef]
) -> tuple[Proposal | None, str]:
    """A valid proposal, or None and the reason it is dropped."""
    if not isinstance(raw, dict):
        return None, "not a JSON object"
    elements = {c.id for c in model.components} | {f.id for f in model.flows}
    element = str(raw.get("element", ""))
    if element not in elements:
        return None, f"unknown element {element!r}"
    title, description = str(raw.get("title", "")).strip(), str(raw.get("description", "")).strip()
    if not title or not description:
        return None, "a title and a description are required"
    threats = raw.get("catalogue")
    if not isinstance(threats, list) or not threats:
        return None, "no catalogue threat identifiers"
    for uid in threats:
        ref = catalogue.get(str(uid))
        if ref is None or ref.kind not in THREAT_KINDS:
            return None, f"{uid!r} is not a threat in the catalogue"
    mitigations = raw.get("mitigations") or []
    if not isinstance(mitigations, list):
        return None, "mitigations must be a list"
    for uid in mitigations:
        ref = catalogue.get(str(uid))
        if (
            ref is None
            or not str(uid).startswith(MITIGATION_PREFIXES)
            or ref.kind not in {"mitigation", "control"}
        ):
            return None, f"{uid!r} is not an ATLAS mitigation or ISO/IEC 27002/42001 control in the catalogue"
    likelihood, impact = _score(raw.get("likelihood")), _score(raw.get("impact"))
    if likelihood is None or impact is None:
        return None, "likelihood and impact must be whole numbers from 1 to 5"
    return (
        Proposal(
            element=element,
            title=title[:200],
            description=description[:2000],
            catalogue=tuple(dict.fromkeys(str(u) for u in threats)),
            mitigations=tuple(dict.fromkeys(str(u) for u in mitigations)),
            likelihood=likelihood,
            impact=impact,
            rationale=str(raw.get("rationale", "")).strip()[:1000],
        ),
        "",
    )


def check_proposals(
    content: str, model: ThreatModel, catalogue: Mapping[str, CatalogueRef]
) -> tuple[list[Proposal], list[tuple[str, str]]]:
    """Valid proposals, and (title, reason) of each dropped one."""
    try:
        data = json.loads(_unfenced(content))
    except ValueError as exc:
        raise AssistantError("the answer is not JSON") from exc
    items = data.get("threats") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AssistantError('the answer has no "threats" list')
    accepted: list[Proposal] = []
    dropped: list[tuple[str, str]] = []
    for raw in items[:MAX_PROPOSALS]:
        proposal, reason = check_proposal(raw, model, catalogue)
        if proposal is None:
            title = str(raw.get("title", "?")) if isinstance(raw, dict) else "?"
            dropped.append((title, reason))
        elif any(p.key == proposal.key and p.element == proposal.element for p in accepted):
            dropped.append((proposal.title, "duplicate"))
        else:
            accepted.append(proposal)
    return accepted, dropped


def proposal_threat(
    proposal: Proposal, model: ThreatModel, catalogue: Mapping[str, CatalogueRef], accepted_by: str
) -> Threat:
    """An accepted proposal as a threat of the analysis (origin "assistant")."""
    line = None
    assets: tuple[str, ...] = ()
    element_type = "flow"
    for c in model.components:
        if c.id == proposal.element:
            line, element_type, assets = c.line, "component", ((c.asset,) if c.asset else ())
    for f in model.flows:
        if f.id == proposal.element:
            line = f.line
            ends = (model.component(f.source).asset, model.component(f.target).asset)
            assets = tuple(dict.fromkeys(a for a in ends if a))

    def refs(uids: tuple[str, ...]) -> tuple[Reference, ...]:
        return tuple(Reference(u, catalogue[u].name if u in catalogue else u) for u in uids)

    rationale = [f"proposed by the language-model assistant, accepted by {accepted_by}"]
    if proposal.rationale:
        rationale.append(proposal.rationale)
    return Threat(
        id=f"{proposal.key}@{proposal.element}",
        rule_id=proposal.key,
        element_id=proposal.element,
        element_type=element_type,
        element_name=model.element_name(proposal.element),
        title=proposal.title,
        description=proposal.description,
        stride=None,
        threats=refs(proposal.catalogue),
        mitigations=refs(proposal.mitigations),
        likelihood=proposal.likelihood,
        impact=proposal.impact,
        rationale=tuple(rationale),
        assets=assets,
        line=line,
        origin="assistant",
    )
