"""Analysis, diff, diagram and renderers (JSON, Markdown, HTML, SARIF) of threat models."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from defusedxml.ElementTree import fromstring

from aisms.catalogue.threatmodel_rules import builtin_engine
from aisms.domain.threatmodel.analysis import analysis_from_dict, analysis_to_dict, diff_analyses
from aisms.domain.threatmodel.diagram import NODE_H, NODE_W, flow_depths, layout, render_svg
from aisms.domain.threatmodel.editing import remove_element, upsert_component
from aisms.domain.threatmodel.model import Component, ComponentKind, ThreatModel
from aisms.domain.threatmodel.model_file import parse_model
from aisms.domain.threatmodel.reports import DecisionView, level, to_html, to_json, to_markdown, to_sarif

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"
ENGINE = builtin_engine()
SVG = "{http://www.w3.org/2000/svg}"


def _model() -> ThreatModel:
    return parse_model(EXAMPLE.read_text(encoding="utf-8"), "triage.yaml")


def test_analysis_ids_are_stable_and_every_identifier_is_in_the_catalogue() -> None:
    first, second = ENGINE.analyze(_model()), ENGINE.analyze(_model())
    assert [t.id for t in first.threats] == [t.id for t in second.threats]
    assert len({t.id for t in first.threats}) == len(first.threats)
    for t in first.threats:
        assert t.id == f"{t.rule_id}@{t.element_id}"
        for ref in (*t.threats, *t.mitigations):
            assert ref.uid in ENGINE.refs
            assert ref.name == ENGINE.refs[ref.uid].name


def test_triage_assistant_gets_the_llm_threats_an_analyst_expects() -> None:
    ids = {t.id for t in ENGINE.analyze(_model()).threats}
    for expected in (
        "llm-indirect-prompt-injection@triage-app",
        "llm-jailbreak@triage-app",
        "llm-misinformation@triage-app",
        "excessive-agency@triage-app",
        "system-prompt-leakage@system-prompt",
        "rag-poisoning@guideline-store",
        "personal-data-to-model-provider@llm-call",
        "third-party-model-supply-chain@nimbus",
        "unbounded-consumption@nimbus",
    ):
        assert expected in ids
    # A clinician confirms every urgency suggestion: the no-oversight rules stay silent.
    assert "safety-critical-without-oversight@triage-app" not in ids
    assert "autonomous-actions@triage-app" not in ids


def test_analysis_json_round_trip() -> None:
    analysis = ENGINE.analyze(_model())
    assert analysis_from_dict(json.loads(json.dumps(analysis_to_dict(analysis)))) == analysis


def test_diff_shows_appeared_disappeared_and_changed() -> None:
    model = _model()
    before = ENGINE.analyze(model)
    changed = remove_element(model, "callback-tool")
    changed = upsert_component(
        changed,
        element_id="memory",
        name="Chat memory",
        kind="database",
        properties=["handles_personal_data"],
    )
    after = ENGINE.analyze(changed)
    diff = diff_analyses(before, after)
    appeared = {t.id for t in diff.appeared}
    disappeared = {t.id for t in diff.disappeared}
    assert "personal-data-store@memory" in appeared
    assert "over-permissioned-tool@callback-tool" in disappeared
    assert "stride-flow-tampering@book-callback" in disappeared
    assert not appeared & disappeared
    assert diff.unchanged == len(before.threats) - len(disappeared) - len(diff.changed)
    assert diff_analyses(before, before).is_empty


def test_diff_reports_a_changed_score() -> None:
    before = ENGINE.analyze(_model())
    rules = [replace(r, likelihood=5) if r.id == "rag-poisoning" else r for r in ENGINE.rules]
    from aisms.domain.threatmodel.analysis import analyze

    after = analyze(_model(), rules, ENGINE.refs)
    diff = diff_analyses(before, after)
    assert [(b.likelihood, a.likelihood, a.id) for b, a in diff.changed] == [
        (2, 5, "rag-poisoning@guideline-store")
    ]


def test_diagram_is_valid_deterministic_svg_with_boundaries_and_flows() -> None:
    model = _model()
    svg = render_svg(model, {"triage-app": 19})
    assert svg == render_svg(model, {"triage-app": 19})
    root = fromstring(svg)
    boundaries = root.findall(f".//{SVG}g[@class='tm-boundary']")
    assert len(boundaries) == len(model.boundaries)
    assert all(b.find(f"{SVG}rect").get("stroke-dasharray") for b in boundaries)
    assert len(root.findall(f".//{SVG}g[@class='tm-flow']")) == len(model.flows)
    assert len(root.findall(f".//{SVG}g[@class='tm-node']")) == len(model.components)
    assert "19" in svg
    assert "Symptom chat (HTTPS)" in svg


def test_diagram_nodes_do_not_overlap_and_sit_inside_their_boundaries() -> None:
    model = _model()
    page = layout(model)
    boxes = list(page.nodes.items())
    for i, (a, (ax, ay)) in enumerate(boxes):
        for b, (bx, by) in boxes[i + 1 :]:
            assert abs(ax - bx) >= NODE_W or abs(ay - by) >= NODE_H, (a, b)
    rects = {bid: (x, y, w, h) for bid, x, y, w, h in page.rects}
    for c in model.components:
        x, y = page.nodes[c.id]
        for bid in model.boundary_chain(c.boundary):
            bx, by, bw, bh = rects[bid]
            assert bx <= x <= bx + bw - NODE_W, (c.id, bid)
            assert by <= y <= by + bh - NODE_H, (c.id, bid)
    depths = flow_depths(model)
    assert depths["patient"] == 0
    assert depths["portal"] == 1
    assert depths["triage-app"] == 1
    assert depths["nimbus"] == 2


def test_diagram_escapes_text() -> None:
    model = ThreatModel(
        name="<x>",
        components=(Component("a", "<script>alert(1)</script>", ComponentKind.USER),),
    )
    svg = render_svg(model)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    fromstring(svg)


def test_markdown_and_html_reports() -> None:
    model = _model()
    analysis = ENGINE.analyze(model)
    decisions = {
        "llm-misinformation@triage-app": DecisionView(
            True, "clinicians anchor on it", "R-042", "In progress"
        ),
        "model-extraction@triage-app": DecisionView(False, "no proprietary model"),
    }
    md = to_markdown(model, analysis, decisions)
    assert md.startswith("# Threat model: Triage Assistant")
    assert "`owasp-llm:2025:LLM09`" in md
    assert "(risk R-042)" in md
    assert "not relevant: no proprietary model" in md
    html = to_html(model, analysis, render_svg(model), decisions)
    assert "<svg" in html
    assert "id='t-llm-misinformation@triage-app'" in html
    evil = replace(model, description="<img src=x onerror=alert(1)>")
    assert "<img src=x" not in to_html(evil, analysis, "", {})


def test_sarif_results_point_at_the_element_lines() -> None:
    model = _model()
    analysis = ENGINE.analyze(model)
    titles = {r.id: (r.title, r.description) for r in ENGINE.rules}
    sarif = to_sarif(analysis, "triage.yaml", titles)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == len(analysis.threats)
    source_lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        region = result["locations"][0]["physicalLocation"]["region"]
        element = result["locations"][0]["logicalLocations"][0]["name"]
        assert re.search(rf"id: {re.escape(element)}\b", source_lines[region["startLine"] - 1])
    high = next(t for t in analysis.threats if t.score >= 15)
    assert level(high) == "error"


def test_json_output_has_model_and_analysis() -> None:
    data = json.loads(to_json(_model(), ENGINE.analyze(_model()), "triage.yaml"))
    assert data["file"] == "triage.yaml"
    assert data["model"]["name"] == "Triage Assistant"
    assert data["analysis"]["counts"]["threats"] == len(data["analysis"]["threats"])


def test_rationale_names_what_triggered_the_threat() -> None:
    analysis = ENGINE.analyze(_model())
    injection = analysis.get("llm-indirect-prompt-injection@triage-app")
    assert injection is not None
    assert injection.rationale == (
        "component kind is llm_application",
        "component has retrieves_untrusted_content",
    )
    crossing = analysis.get("unauthenticated-flow-across-boundary@answer-to-patient")
    assert crossing is not None
    assert crossing.rationale == (
        "flow crosses trust boundary triage-namespace",
        "flow lacks authenticated",
    )
