"""Render an analysis as JSON, Markdown, a standalone HTML report or SARIF 2.1.0 (for code scanning:
each threat is a result located at the line of its element in the model file)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from aisms.domain.threatmodel.analysis import Analysis, Threat, analysis_to_dict
from aisms.domain.threatmodel.model import KIND_INFO, ThreatModel
from aisms.domain.threatmodel.model_file import model_to_dict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/aisms/aisms"


@dataclass(frozen=True)
class DecisionView:
    """What an analyst decided about a threat (for reports): relevant or not, why, and any risk."""

    relevant: bool | None
    reason: str = ""
    risk_ref: str = ""
    mitigation_status: str = ""


def level(threat: Threat) -> str:
    """SARIF level from the default score: error for high, warning for medium, note for low."""
    if threat.score >= 15:
        return "error"
    if threat.score >= 8:
        return "warning"
    return "note"


def to_json(model: ThreatModel, analysis: Analysis, filename: str) -> str:
    data = {"file": filename, "model": model_to_dict(model), "analysis": analysis_to_dict(analysis)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _status(decision: DecisionView | None) -> str:
    if decision is None or decision.relevant is None:
        return "not yet assessed"
    if not decision.relevant:
        return "not relevant" + (f": {decision.reason}" if decision.reason else "")
    text = "relevant" + (f": {decision.reason}" if decision.reason else "")
    return text + (f" (risk {decision.risk_ref})" if decision.risk_ref else "")


def to_markdown(
    model: ThreatModel, analysis: Analysis, decisions: Mapping[str, DecisionView] | None = None
) -> str:
    decisions = decisions or {}
    counts = analysis.counts()
    lines = [
        f"# Threat model: {model.name}",
        "",
        model.description or "",
        "",
        f"{counts['threats']} threats ({counts['ai']} AI-specific, {counts['stride']} STRIDE) from "
        f"{analysis.rule_count} rules over {len(model.components)} components and "
        f"{len(model.flows)} data flows.",
        "",
        "## Components",
        "",
        "| Id | Name | Kind | Boundary | Properties | Asset |",
        "|---|---|---|---|---|---|",
    ]
    for c in model.components:
        props = ", ".join(sorted(p.value for p in c.properties)) or "-"
        lines.append(
            f"| `{c.id}` | {_md(c.name)} | {KIND_INFO[c.kind][0]} | {c.boundary or '-'} | {props} "
            f"| {_md(c.asset or '-')} |"
        )
    lines += ["", "## Threats by element", ""]
    for element_id, threats in analysis.by_element().items():
        lines += [f"### {_md(model.element_name(element_id))} (`{element_id}`)", ""]
        for t in threats:
            tag = f"STRIDE {t.stride}" if t.stride else "AI"
            lines.append(
                f"- **{_md(t.title)}** [{tag}; likelihood {t.likelihood}, impact {t.impact}] `{t.id}`"
            )
            lines.append(f"  - {_md(t.description)}")
            if t.threats:
                lines.append("  - Catalogue: " + ", ".join(f"`{r.uid}` {_md(r.name)}" for r in t.threats))
            lines.append("  - Why: " + "; ".join(t.rationale))
            lines.append("  - Mitigations: " + ", ".join(f"`{r.uid}` {_md(r.name)}" for r in t.mitigations))
            lines.append(f"  - Status: {_status(decisions.get(t.id))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_html(
    model: ThreatModel,
    analysis: Analysis,
    svg: str,
    decisions: Mapping[str, DecisionView] | None = None,
) -> str:
    """A self-contained HTML report: the system, its diagram, threats by element and mitigations."""
    decisions = decisions or {}
    counts = analysis.counts()
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Threat model: {escape(model.name)}</title>",
        "<style>body{font-family:Helvetica,Arial,sans-serif;margin:2rem;color:#1d2433;max-width:1200px}"
        "table{border-collapse:collapse;width:100%;margin:1rem 0}"
        "th,td{border:1px solid #cbd5e0;padding:.3rem .5rem;"
        "text-align:left;vertical-align:top;font-size:.9rem}th{background:#edf2f7}code{font-size:.85em}"
        ".diagram svg{max-width:100%;height:auto}.muted{color:#4a5568}</style></head><body>",
        f"<h1>Threat model: {escape(model.name)}</h1>",
        f"<p>{escape(model.description)}</p>",
        f"<p class='muted'>{counts['threats']} threats ({counts['ai']} AI-specific, "
        f"{counts['stride']} STRIDE) "
        f"from {analysis.rule_count} rules over {len(model.components)} components and "
        f"{len(model.flows)} data flows.</p>",
        "<h2>Data-flow diagram</h2>",
        f"<div class='diagram'>{svg}</div>",
        "<h2>Threats by element</h2>",
    ]
    for element_id, threats in analysis.by_element().items():
        out.append(f"<h3 id='el-{escape(element_id)}'>{escape(model.element_name(element_id))}</h3>")
        out.append(
            "<table><thead><tr><th>Threat</th><th>Catalogue</th><th>L</th><th>I</th><th>Why</th>"
            "<th>Mitigations</th><th>Status</th></tr></thead><tbody>"
        )
        for t in threats:
            catalogue = "<br>".join(f"<code>{escape(r.uid)}</code> {escape(r.name)}" for r in t.threats)
            mitigations = "<br>".join(f"<code>{escape(r.uid)}</code> {escape(r.name)}" for r in t.mitigations)
            if t.stride:
                catalogue = f"STRIDE: {escape(t.stride_label)}" + ("<br>" + catalogue if catalogue else "")
            out.append(
                f"<tr id='t-{escape(t.id)}'><td><strong>{escape(t.title)}</strong><br>"
                f"<span class='muted'>{escape(t.description)}</span></td><td>{catalogue}</td>"
                f"<td>{t.likelihood}</td><td>{t.impact}</td><td>{escape('; '.join(t.rationale))}</td>"
                f"<td>{mitigations}</td>"
                f"<td>{escape(_status(decisions.get(t.id)))}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def to_sarif(analysis: Analysis, filename: str, rule_titles: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """SARIF 2.1.0: one run, one result per threat, located at the element's line in ``filename``.

    ``rule_titles`` maps each rule id to (title, description) for the tool's rule list."""
    used = sorted({t.rule_id for t in analysis.threats})
    rules = []
    for rule_id in used:
        title, description = rule_titles.get(rule_id, (rule_id, rule_id))
        sample = next(t for t in analysis.threats if t.rule_id == rule_id)
        rules.append(
            {
                "id": rule_id,
                "name": "".join(part.capitalize() for part in rule_id.split("-")),
                "shortDescription": {"text": title.replace("{element}", "an element")},
                "fullDescription": {"text": description.replace("{element}", "the element")},
                "defaultConfiguration": {"level": level(sample)},
                "properties": {
                    "tags": ["security", "threat-model"]
                    + ([f"stride:{sample.stride}"] if sample.stride else [])
                    + [r.uid for r in sample.threats],
                },
            }
        )
    index = {rule_id: i for i, rule_id in enumerate(used)}
    results = []
    for t in analysis.threats:
        result: dict[str, Any] = {
            "ruleId": t.rule_id,
            "ruleIndex": index[t.rule_id],
            "level": level(t),
            "message": {"text": f"{t.title}. {t.description} Why: {'; '.join(t.rationale)}."},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": filename},
                        "region": {"startLine": t.line or 1},
                    },
                    "logicalLocations": [{"name": t.element_id, "kind": "element"}],
                }
            ],
            "partialFingerprints": {"aismsThreatId/v1": t.id},
            "properties": {
                "likelihood": t.likelihood,
                "impact": t.impact,
                "catalogue": [r.uid for r in t.threats],
                "mitigations": [r.uid for r in t.mitigations],
            },
        }
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "aisms-threatmodel", "informationUri": TOOL_URI, "rules": rules}},
                "results": results,
            }
        ],
    }
