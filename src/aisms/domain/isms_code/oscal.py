"""OSCAL 1.1.2 JSON documents built from plain data: catalog, profile, component definition, results.

UUIDs are uuid5 of natural keys, so exporting the same data twice gives identical documents.
Control text is our own summary (the ISO text is copyrighted); ids look like ``iso27002-5.7``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("6f1d1c1e-2f43-5b7a-9a53-8a5e2d0c0a11")
PROPS_NS = "https://aisms.example/ns/oscal"
THEME_TITLES = {
    "organizational": "Organizational controls",
    "people": "People controls",
    "physical": "Physical controls",
    "technological": "Technological controls",
}


def det_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def control_id(ref: str) -> str:
    return f"iso27002-{ref}"


def target_id(uid: str) -> str:
    """An OSCAL token for a catalogue uid: 'iso27001:2022:9.2' -> 'iso27001-9.2'."""
    parts = uid.split(":")
    return f"{parts[0]}-{parts[-1]}" if len(parts) > 1 else uid


def _ts(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _metadata(title: str, now: dt.datetime, version: str, organisation: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": title,
        "last-modified": _ts(now),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }
    if organisation:
        party = det_uuid("party", organisation)
        meta["roles"] = [{"id": "isms-owner", "title": "ISMS owner"}]
        meta["parties"] = [{"uuid": party, "type": "organization", "name": organisation}]
        meta["responsible-parties"] = [{"role-id": "isms-owner", "party-uuids": [party]}]
    return meta


@dataclass(frozen=True)
class CatalogControl:
    ref: str  # "5.7"
    title: str
    theme: str
    summary: str = ""


@dataclass(frozen=True)
class Implementation:
    ref: str
    applicable: bool
    status: str  # implementation status value
    status_label: str
    justification: str = ""
    notes: str = ""
    owner: str = ""
    risks: tuple[str, ...] = ()
    evidence: tuple[tuple[str, str, str], ...] = ()  # (title, file name or url, sha256)


@dataclass(frozen=True)
class ResultFinding:
    uid: str  # catalogue uid of the clause or control, e.g. iso27002:2022:5.15
    title: str
    description: str
    state: str  # "satisfied" | "not-satisfied"
    kind: str = "observation"


@dataclass(frozen=True)
class AssessmentInput:
    title: str
    start: dt.datetime
    end: dt.datetime | None
    description: str
    findings: tuple[ResultFinding, ...] = field(default_factory=tuple)


def catalog(controls: Sequence[CatalogControl], now: dt.datetime, version: str) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    themes = [t for t in THEME_TITLES if any(c.theme == t for c in controls)]
    themes += sorted({c.theme for c in controls} - set(THEME_TITLES))
    for theme in themes:
        members = [c for c in controls if c.theme == theme]
        group: dict[str, Any] = {
            "id": f"theme-{theme or 'other'}",
            "title": THEME_TITLES.get(theme, theme.capitalize() or "Other controls"),
            "controls": [],
        }
        for c in members:
            control: dict[str, Any] = {
                "id": control_id(c.ref),
                "class": "iso27002-control",
                "title": c.title,
                "props": [{"name": "label", "value": c.ref}],
            }
            if c.summary:
                control["parts"] = [
                    {"id": f"{control_id(c.ref)}_smt", "name": "statement", "prose": c.summary}
                ]
            group["controls"].append(control)
        groups.append(group)
    return {
        "catalog": {
            "uuid": det_uuid("catalog", "iso27002:2022"),
            "metadata": _metadata(
                "ISO/IEC 27002:2022 controls (identifiers, titles and aisms summaries)", now, version, ""
            ),
            "groups": groups,
        }
    }


def profile(
    applicable: Sequence[str], now: dt.datetime, version: str, organisation: str, catalog_href: str
) -> dict[str, Any]:
    ids = sorted({control_id(ref) for ref in applicable}, key=_control_order)
    imported: dict[str, Any] = {"href": catalog_href}
    imported["include-controls"] = [{"with-ids": ids}] if ids else []
    if not ids:
        imported.pop("include-controls")
        imported["exclude-controls"] = []
    return {
        "profile": {
            "uuid": det_uuid("profile", organisation),
            "metadata": _metadata(
                f"Statement of Applicability baseline of {organisation}", now, version, organisation
            ),
            "imports": [imported],
            "merge": {"as-is": True},
        }
    }


def _control_order(cid: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in cid.removeprefix("iso27002-").split("."))


def component_definition(
    implementations: Sequence[Implementation],
    now: dt.datetime,
    version: str,
    organisation: str,
    profile_href: str,
) -> dict[str, Any]:
    requirements: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    for impl in sorted(implementations, key=lambda i: _control_order(control_id(i.ref))):
        cid = control_id(impl.ref)
        props = [
            {"name": "implementation-status", "value": impl.status, "ns": PROPS_NS},
            {"name": "applicable", "value": "yes" if impl.applicable else "no", "ns": PROPS_NS},
        ]
        props += [{"name": "risk", "value": ref, "ns": PROPS_NS} for ref in impl.risks]
        text = [f"Status: {impl.status_label}."]
        if impl.justification:
            text.append(f"Justification: {impl.justification}")
        if impl.notes:
            text.append(impl.notes)
        requirement: dict[str, Any] = {
            "uuid": det_uuid("implemented-requirement", organisation, cid),
            "control-id": cid,
            "description": "\n\n".join(text),
            "props": props,
        }
        if impl.owner:
            requirement["responsible-roles"] = [
                {
                    "role-id": "control-owner",
                    "props": [{"name": "owner", "value": impl.owner, "ns": PROPS_NS}],
                }
            ]
        links = []
        for title, where, sha256 in impl.evidence:
            resource_uuid = det_uuid("evidence", organisation, title, where, sha256)
            links.append({"href": f"#{resource_uuid}", "rel": "evidence", "text": title})
            resource: dict[str, Any] = {"uuid": resource_uuid, "title": title}
            if where:
                resource["description"] = where
            if sha256:
                resource["rlinks"] = [
                    {"href": where or title, "hashes": [{"algorithm": "SHA-256", "value": sha256}]}
                ]
            if resource not in resources:
                resources.append(resource)
        if links:
            requirement["links"] = links
        requirements.append(requirement)
    component: dict[str, Any] = {
        "uuid": det_uuid("component", organisation),
        "type": "this-system",
        "title": f"ISMS of {organisation}",
        "description": "The organisation's information security management system and its Annex A controls.",
        "control-implementations": [
            {
                "uuid": det_uuid("control-implementation", organisation),
                "source": profile_href,
                "description": "How the organisation implements each control of its SoA.",
                "implemented-requirements": requirements,
            }
        ]
        if requirements
        else [],
    }
    if not requirements:
        component.pop("control-implementations")
    metadata = _metadata(f"Control implementation of {organisation}", now, version, organisation)
    metadata.setdefault("roles", []).append({"id": "control-owner", "title": "Control owner"})
    document: dict[str, Any] = {
        "uuid": det_uuid("component-definition", organisation),
        "metadata": metadata,
        "components": [component],
    }
    if resources:
        document["back-matter"] = {"resources": sorted(resources, key=lambda r: r["uuid"])}
    return {"component-definition": document}


def assessment_results(
    assessment: AssessmentInput, now: dt.datetime, version: str, organisation: str, plan_href: str
) -> dict[str, Any]:
    findings: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    for n, f in enumerate(assessment.findings):
        obs_uuid = det_uuid("observation", organisation, assessment.title, f.uid, str(n))
        observations.append(
            {
                "uuid": obs_uuid,
                "title": f.title,
                "description": f.description or f.title,
                "methods": ["EXAMINE"],
                "collected": _ts(assessment.start),
                "props": [{"name": "kind", "value": f.kind, "ns": PROPS_NS}],
            }
        )
        findings.append(
            {
                "uuid": det_uuid("finding", organisation, assessment.title, f.uid, str(n)),
                "title": f.title,
                "description": f.description or f.title,
                "target": {
                    "type": "objective-id",
                    "target-id": target_id(f.uid),
                    "status": {"state": f.state},
                },
                "related-observations": [{"observation-uuid": obs_uuid}],
            }
        )
    result: dict[str, Any] = {
        "uuid": det_uuid("result", organisation, assessment.title),
        "title": assessment.title,
        "description": assessment.description or assessment.title,
        "start": _ts(assessment.start),
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    }
    if assessment.end:
        result["end"] = _ts(assessment.end)
    if observations:
        result["observations"] = observations
        result["findings"] = findings
    return {
        "assessment-results": {
            "uuid": det_uuid("assessment-results", organisation),
            "metadata": _metadata(f"Assessment results of {organisation}", now, version, organisation),
            "import-ap": {"href": plan_href},
            "results": [result],
        }
    }
