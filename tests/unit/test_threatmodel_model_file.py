"""Reading the threat-model file: a valid file gives the model; every problem is reported with its line and
field, unknown kinds and properties are named, and so are dangling references. Structured edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisms.domain.threatmodel import editing
from aisms.domain.threatmodel.model import ComponentKind, ComponentProperty, FlowProperty
from aisms.domain.threatmodel.model_file import ModelInvalidError, dump_model, parse_model

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "triage-assistant.threatmodel.yaml"


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ModelInvalidError) as info:
        parse_model(text, "m.yaml")
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_example_parses_into_components_flows_and_boundaries() -> None:
    model = parse_model(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    assert model.name == "Triage Assistant"
    assert len(model.components) == 11
    assert len(model.flows) == 12
    assert len(model.boundaries) == 5
    app = model.component("triage-app")
    assert app.kind is ComponentKind.LLM_APPLICATION
    assert app.asset == "Triage Assistant"
    assert ComponentProperty.RETRIEVES_UNTRUSTED_CONTENT in app.properties
    assert app.line is not None
    assert EXAMPLE.read_text().splitlines()[app.line - 1].strip() == "- id: triage-app"
    assert model.boundary_chain("triage-namespace") == ["triage-namespace", "helixa-prod"]
    llm_call = next(f for f in model.flows if f.id == "llm-call")
    assert model.crossed_boundaries(llm_call) == ["helixa-prod", "nimbus-eu", "triage-namespace"]
    assert FlowProperty.CARRIES_PROMPTS in llm_call.properties


def test_unknown_kind_and_property_are_named_with_their_lines() -> None:
    text = "name: X\ncomponents:\n  - id: a\n    kind: robot\n    properties: [shiny, public_facing]\n"
    problems = _problems(text)
    assert (4, "components[0].kind", problems[0][2]) == problems[0]
    assert "unknown kind 'robot'" in problems[0][2]
    assert "llm_application" in problems[0][2]
    assert problems[1][:2] == (5, "components[0].properties")
    assert "unknown property 'shiny'" in problems[1][2]


def test_dangling_flow_ends_unknown_boundary_and_duplicates_are_all_reported() -> None:
    text = (
        "name: X\n"
        "boundaries:\n  - id: net\n"
        "components:\n"
        "  - {id: a, kind: user, boundary: nowhere}\n"
        "  - {id: a, kind: web_app}\n"
        "flows:\n"
        "  - {from: a, to: ghost}\n"
        "  - {from: a, to: net}\n"
        "  - {id: f, from: a, to: a}\n"
    )
    problems = _problems(text)
    messages = {(line, field): message for line, field, message in problems}
    assert messages[(5, "components[0].boundary")] == "unknown boundary 'nowhere'"
    assert "duplicate id 'a'" in messages[(6, "components[1].id")]
    assert messages[(8, "flows[0].to")] == "unknown component 'ghost'"
    assert messages[(9, "flows[1].to")] == "'net' is a boundary, not a component"
    assert messages[(10, "flows[2].to")] == "a flow needs two different ends"


def test_missing_name_unknown_field_and_wrong_version() -> None:
    problems = _problems("threatmodel: 2\ncolour: blue\ncomponents: []\n")
    fields = {field for _line, field, _message in problems}
    assert {"threatmodel", "colour", "name"} <= fields
    assert any(line == 2 and "unknown field" in message for line, _f, message in problems)


def test_yaml_syntax_error_names_the_line() -> None:
    problems = _problems("name: X\ncomponents:\n  - id: a\n   kind: [user\n")
    assert problems[0][0] is not None
    assert "not valid YAML" in problems[0][2]


def test_not_a_mapping_and_boundary_cycle() -> None:
    assert "mapping" in _problems("- a\n- b\n")[0][2]
    cycle = "name: X\nboundaries:\n  - {id: a, parent: b}\n  - {id: b, parent: a}\n"
    assert any("cycle" in message for _l, _f, message in _problems(cycle))


def test_dump_and_parse_round_trip() -> None:
    model = parse_model(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    again = parse_model(dump_model(model), "dumped.yaml")
    strip = lambda m: (  # noqa: E731 - a local helper that drops line numbers
        m.name,
        m.description,
        [(c.id, c.kind, c.boundary, c.properties, c.asset) for c in m.components],
        [(f.id, f.source, f.target, f.label, f.properties) for f in m.flows],
        [(b.id, b.name, b.parent) for b in m.boundaries],
    )
    assert strip(again) == strip(model)


def test_flow_without_id_gets_a_stable_one() -> None:
    model = parse_model(
        "name: X\ncomponents:\n  - {id: a, kind: user}\n  - {id: b, kind: api}\n"
        "flows:\n  - {from: a, to: b}\n"
    )
    assert model.flows[0].id == "a-to-b"


def test_structured_edits() -> None:
    model = parse_model(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    model = editing.add_boundary(model, element_id="partner", name="Partner clinic")
    model = editing.upsert_component(
        model,
        element_id="mcp",
        name="EHR MCP server",
        kind="mcp_server",
        boundary="partner",
        properties=["third_party"],
    )
    model = editing.add_flow(model, element_id="", source="triage-app", target="mcp", label="Look up record")
    assert model.component("mcp").boundary == "partner"
    assert model.flows[-1].id == "triage-app-to-mcp"
    changed = editing.upsert_component(model, element_id="mcp", name="EHR MCP", kind="mcp_server")
    assert changed.component("mcp").name == "EHR MCP"
    assert len(changed.components) == len(model.components)
    removed = editing.remove_element(model, "mcp")
    assert "mcp" not in {c.id for c in removed.components}
    assert all("mcp" not in (f.source, f.target) for f in removed.flows)
    unbounded = editing.remove_element(model, "triage-namespace")
    assert unbounded.component("triage-app").boundary == "helixa-prod"
    with pytest.raises(editing.EditError, match="already used"):
        editing.add_boundary(model, element_id="partner", name="again")
    with pytest.raises(editing.EditError) as info:
        editing.upsert_component(model, element_id="z", name="Z", kind="robot")
    assert info.value.field == "kind"
    with pytest.raises(editing.EditError) as info:
        editing.add_flow(model, element_id="", source="triage-app", target="ghost")
    assert info.value.field == "target"
    with pytest.raises(editing.EditError):
        editing.remove_element(model, "ghost")
