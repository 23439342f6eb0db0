"""The threat-modelling rules: every identifier exists in the catalogue, the file covers STRIDE per element
and the OWASP LLM / ML lists, and each rule, one by one, fires on a minimal model with its trigger and not
once any part of the trigger is taken away."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import load_builtin
from aisms.catalogue.threatmodel_rules import builtin_engine, builtin_rules_text, combine
from aisms.domain.threatmodel.analysis import analyze
from aisms.domain.threatmodel.model import (
    KIND_INFO,
    Boundary,
    Component,
    ComponentKind,
    ComponentProperty,
    DfdType,
    Flow,
    FlowProperty,
    ThreatModel,
)
from aisms.domain.threatmodel.rules import AppliesTo, EndCondition, Rule, parse_rules

ENGINE = builtin_engine()
RULES = ENGINE.rules


def _kind_for(end: EndCondition) -> ComponentKind:
    for kind in ComponentKind:
        if end.kinds and kind not in end.kinds:
            continue
        if kind in end.not_kinds:
            continue
        if end.dfd and KIND_INFO[kind][1] not in end.dfd:
            continue
        return kind
    raise AssertionError(f"no kind satisfies {end}")


def _props_for(end: EndCondition) -> frozenset[ComponentProperty]:
    wanted = set(end.properties.all) | set(sorted(end.properties.any)[:1])
    return frozenset(ComponentProperty(p) for p in wanted)


def _component(cid: str, end: EndCondition, boundary: str | None = "inside") -> Component:
    return Component(
        id=cid, name=cid.title(), kind=_kind_for(end), boundary=boundary, properties=_props_for(end)
    )


def _positive(rule: Rule) -> tuple[ThreatModel, str]:
    """A minimal model with the rule's trigger, and the id of the element it must fire on."""
    boundaries = (Boundary("inside", "Inside"), Boundary("outside", "Outside"))
    if rule.applies_to is AppliesTo.COMPONENT:
        return ThreatModel(name="m", boundaries=boundaries, components=(_component("x", rule.element),)), "x"
    source = _component("a", rule.source or EndCondition())
    target = _component("b", rule.target or EndCondition(), "outside" if rule.crosses_boundary else "inside")
    props = set(rule.flow_properties.all) | set(sorted(rule.flow_properties.any)[:1])
    flow = Flow("f", "a", "b", "flow", frozenset(FlowProperty(p) for p in props))
    return ThreatModel(name="m", boundaries=boundaries, components=(source, target), flows=(flow,)), "f"


def _other_kind(kinds: frozenset[ComponentKind], dfd: frozenset[DfdType]) -> ComponentKind:
    for kind in ComponentKind:
        if kind not in kinds and (not dfd or KIND_INFO[kind][1] in dfd):
            return kind
    for kind in ComponentKind:
        if kind not in kinds:
            return kind
    raise AssertionError("every kind is listed")


def _negatives(rule: Rule, model: ThreatModel, element: str) -> list[tuple[str, ThreatModel]]:
    """The positive model with one part of the trigger taken away, for every part the rule has."""
    out: list[tuple[str, ThreatModel]] = []

    def change_component(cid: str, label: str, **changes: object) -> None:
        comps = tuple(replace(c, **changes) if c.id == cid else c for c in model.components)  # type: ignore[arg-type]
        out.append((label, replace(model, components=comps)))

    ends = [(element, rule.element)] if rule.applies_to is AppliesTo.COMPONENT else []
    ends += [("a", rule.source)] if rule.source else []
    ends += [("b", rule.target)] if rule.target else []
    for cid, end in ends:
        if end is None:
            continue
        current = next(c for c in model.components if c.id == cid)
        if end.kinds:
            change_component(cid, f"{cid} not of a listed kind", kind=_other_kind(end.kinds, frozenset()))
        elif end.dfd:
            other = next(k for k in ComponentKind if KIND_INFO[k][1] not in end.dfd)
            change_component(cid, f"{cid} of another DFD type", kind=other)
        for prop in end.properties.all:
            change_component(
                cid, f"{cid} without {prop}", properties=current.properties - {ComponentProperty(prop)}
            )
        if end.properties.any:
            change_component(
                cid,
                f"{cid} without any of {sorted(end.properties.any)}",
                properties=frozenset(p for p in current.properties if p.value not in end.properties.any),
            )
        for prop in end.properties.none:
            change_component(
                cid, f"{cid} with {prop}", properties=current.properties | {ComponentProperty(prop)}
            )
    if rule.applies_to is AppliesTo.FLOW:
        flow = model.flows[0]
        out.append(("no flow", replace(model, flows=())))
        if rule.crosses_boundary is True:
            change_component("b", "inside one boundary", boundary="inside")
        for prop in rule.flow_properties.all:
            f2 = replace(flow, properties=flow.properties - {FlowProperty(prop)})
            out.append((f"flow without {prop}", replace(model, flows=(f2,))))
        if rule.flow_properties.any:
            f2 = replace(
                flow,
                properties=frozenset(p for p in flow.properties if p.value not in rule.flow_properties.any),
            )
            out.append(("flow without any listed property", replace(model, flows=(f2,))))
        for prop in rule.flow_properties.none:
            f2 = replace(flow, properties=flow.properties | {FlowProperty(prop)})
            out.append((f"flow with {prop}", replace(model, flows=(f2,))))
    return out


def _fires(rule: Rule, model: ThreatModel, element: str) -> bool:
    analysis = analyze(model, [rule], ENGINE.refs)
    return f"{rule.id}@{element}" in {t.id for t in analysis.threats}


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_fires_with_its_trigger(rule: Rule) -> None:
    model, element = _positive(rule)
    assert _fires(rule, model, element)
    threat = analyze(model, [rule], ENGINE.refs).threats[0]
    assert threat.rationale
    assert (threat.likelihood, threat.impact) == (rule.likelihood, rule.impact)
    assert [r.uid for r in threat.mitigations] == list(rule.mitigations)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_does_not_fire_without_its_trigger(rule: Rule) -> None:
    model, element = _positive(rule)
    negatives = _negatives(rule, model, element)
    assert negatives, "every rule has at least one trigger to take away"
    for label, negative in negatives:
        assert not _fires(rule, negative, element), label


def test_every_identifier_in_the_rules_exists_in_the_catalogue() -> None:
    catalogue = load_builtin()
    for rule in RULES:
        for uid in (*rule.threats, *rule.mitigations):
            assert uid in catalogue.entries, f"{rule.id}: {uid}"
        for uid in rule.threats:
            assert catalogue.entries[uid].catalogue in {"atlas", "owasp-llm", "owasp-ml"}
        for uid in rule.mitigations:
            entry = catalogue.entries[uid]
            assert (entry.catalogue, entry.kind) in {
                ("atlas", "mitigation"),
                ("iso27002", "control"),
                ("iso42001", "control"),
            }, uid


def test_rules_cover_stride_per_element_and_the_owasp_lists() -> None:
    stride = {
        (r.applies_to.value, tuple(sorted(d.value for d in r.element.dfd)), r.stride.value)
        for r in RULES
        if r.stride
        and not r.threats
        and not r.element.properties.all
        and r.crosses_boundary is None
        and not r.flow_properties.none
    }
    expected = {("component", ("external_entity",), s) for s in "SR"}
    expected |= {("component", ("process",), s) for s in "STRIDE"}
    expected |= {("component", ("data_store",), s) for s in "TID"}
    expected |= {("flow", (), s) for s in "TID"}
    assert expected <= stride
    named = {uid for r in RULES for uid in r.threats}
    assert {f"owasp-llm:2025:LLM{n:02d}" for n in range(1, 11)} <= named
    assert {f"owasp-ml:2023:ML{n:02d}" for n in range(1, 11)} <= named
    for technique in (
        "AML.T0020",
        "AML.T0018.000",
        "AML.T0015",
        "AML.T0024.002",
        "AML.T0024.000",
        "AML.T0024.001",
        "AML.T0051.000",
        "AML.T0051.001",
        "AML.T0054",
        "AML.T0056",
        "AML.T0011.001",
        "AML.T0010.003",
        "AML.T0070",
        "AML.T0110",
        "AML.T0034",
    ):
        assert f"atlas:{technique}" in named, technique


def test_rules_file_records_its_sources_and_licence() -> None:
    head = builtin_rules_text()
    assert "licence:" in head
    assert "MITRE ATLAS" in head
    assert "OWASP" in head


def _org_rules(body: str) -> str:
    return f'catalogue: threatmodel-rules\nversion: "1"\ntitle: Org\nrules:\n{body}'


def test_organisation_rule_is_validated_and_applies_in_addition() -> None:
    text = _org_rules(
        "  - id: helixa-clinical-prompt\n"
        "    title: Clinical content in {element}\n"
        "    applies_to: component\n"
        "    when: {kinds: [prompt_template]}\n"
        "    description: Clinical thresholds in {element} need clinical safety sign-off.\n"
        "    threats: [owasp-llm:2025:LLM09]\n"
        "    likelihood: 2\n    impact: 4\n"
        "    mitigations: [iso42001:2023:A.6.2.4]\n"
    )
    extra = ENGINE.parse_extra(text, "org.yaml")
    model = ThreatModel(name="m", components=(Component("p", "Prompt", ComponentKind.PROMPT_TEMPLATE),))
    ids = {t.id for t in ENGINE.analyze(model, extra).threats}
    assert "helixa-clinical-prompt@p" in ids
    assert "system-prompt-leakage@p" in ids
    threat = next(t for t in ENGINE.analyze(model, extra).threats if t.rule_id == "helixa-clinical-prompt")
    assert threat.origin == "organisation"
    assert threat.title == "Clinical content in Prompt"


def test_organisation_rule_with_the_id_of_a_builtin_rule_replaces_it() -> None:
    builtin = next(r for r in RULES if r.id == "rag-poisoning")
    override = replace(builtin, likelihood=5, origin="org")
    combined = combine(RULES, [override])
    assert [r for r in combined if r.id == "rag-poisoning"] == [override]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "    threats: [atlas:AML.T9999]\n    mitigations: [iso27002:2022:8.28]\n",
            "unknown threat 'atlas:AML.T9999'",
        ),
        (
            "    threats: [atlas:AML.M0015]\n    mitigations: [iso27002:2022:8.28]\n",
            "is a mitigation, not a threat",
        ),
        ("    mitigations: [iso27002:2022:9.99]\n", "unknown mitigation 'iso27002:2022:9.99'"),
        ("    mitigations: [atlas:AML.T0051]\n", "not an ATLAS mitigation"),
    ],
)
def test_organisation_rule_with_unknown_or_wrong_identifiers_is_refused(body: str, message: str) -> None:
    text = _org_rules(
        "  - id: org-rule\n    title: T\n    applies_to: component\n    description: D\n"
        "    likelihood: 2\n    impact: 2\n" + body
    )
    with pytest.raises(CatalogueError, match=message) as info:
        ENGINE.parse_extra(text, "org.yaml")
    assert info.value.line == 5


def test_rule_conditions_are_schema_checked_with_lines() -> None:
    text = _org_rules(
        "  - id: org-rule\n    title: T\n    applies_to: component\n    description: D\n"
        "    likelihood: 2\n    impact: 9\n    mitigations: [iso27002:2022:8.28]\n"
        "    when: {kinds: [robot]}\n"
    )
    with pytest.raises(CatalogueError) as info:
        parse_rules(text, "org.yaml", ENGINE.refs)
    assert info.value.line is not None
    assert info.value.file == "org.yaml"


def test_flow_conditions_in_a_component_rule_are_refused() -> None:
    text = _org_rules(
        "  - id: org-rule\n    title: T\n    applies_to: component\n    description: D\n"
        "    likelihood: 2\n    impact: 2\n    mitigations: [iso27002:2022:8.28]\n"
        "    when: {crosses_boundary: true}\n"
    )
    with pytest.raises(CatalogueError, match="cannot be used in a component rule"):
        parse_rules(text, "org.yaml", ENGINE.refs)


def test_rule_text_is_never_evaluated() -> None:
    text = _org_rules(
        '  - id: org-rule\n    title: "{element.__class__.__mro__}"\n    applies_to: component\n'
        "    description: \"__import__('os').system('false')\"\n"
        "    likelihood: 2\n    impact: 2\n    mitigations: [iso27002:2022:8.28]\n"
    )
    rule = parse_rules(text, "org.yaml", ENGINE.refs)[0]
    model = ThreatModel(name="m", components=(Component("u", "U", ComponentKind.USER),))
    threat = analyze(model, [rule], ENGINE.refs).threats[0]
    assert threat.title == "{element.__class__.__mro__}"
    assert threat.description == "__import__('os').system('false')"
