"""Malformed catalogue and crosswalk files are refused with an error naming the file, line and field."""

from __future__ import annotations

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import check_references, parse_catalogue_file, parse_crosswalks
from aisms.catalogue.model import Catalogue, Entry, Link, Relation
from aisms.catalogue.yaml_lines import load_yaml

ISO27002_HEAD = """\
catalogue: iso27002
version: "2022"
title: "Controls"
source:
  publisher: "ISO/IEC"
  url: "https://example.org/27002"
  licence: "cited as facts"
entries:
"""  # 8 lines: the first entry starts on line 9

CONTROL_51 = """\
  - id: "5.1"
    kind: control
    name: "Policies for information security"
    theme: organizational
    summary: "  Management-approved policies.  "
    attributes:
      control_type: [preventive]
      security_properties: [confidentiality, integrity]
"""  # lines 9-16

ATLAS_HEAD = """\
catalogue: atlas
version: 5.6.0
title: ATLAS
source:
  publisher: MITRE
  url: https://atlas.example.org
  licence: Apache-2.0
entries:
- id: AML.TA0000
  kind: tactic
  name: AI Model Access
  summary: Get at the model.
"""  # the next entry starts on line 13

CROSSWALKS = """\
catalogue: crosswalks
version: '1'
title: T
source:
  publisher: P
  url: https://example.org/cw
  licence: L
threat_controls:
- threat: owasp-llm:2025:LLM01
  controls:
  - control: iso27002:2022:8.28
    rationale: "  Keep instructions and untrusted text apart.  "
  - control: iso27002:2022:8.26
    rationale: Require screening.
  iso42001: [iso42001:2023:A.6.2.4]
  nist_ai_rmf:
  - nist-ai-rmf:1.0:MEASURE-2
"""


def _error(call, *args: object) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        call(*args)
    return caught.value


# ---------------------------------------------------------------- a good file, as the baseline


def test_a_good_file_parses_into_source_entries_and_links() -> None:
    source, entries, links = parse_catalogue_file("iso27002", ISO27002_HEAD + CONTROL_51, "27002.yaml")

    assert (source.key, source.prefix, source.version) == ("iso27002", "iso27002:2022", "2022")
    assert (source.publisher, source.url, source.licence) == (
        "ISO/IEC",
        "https://example.org/27002",
        "cited as facts",
    )
    assert entries == [
        Entry(
            uid="iso27002:2022:5.1",
            catalogue="iso27002",
            ref="5.1",
            kind="control",
            name="Policies for information security",
            summary="Management-approved policies.",
            parent_uid=None,
            attributes={
                "theme": "organizational",
                "control_type": ["preventive"],
                "security_properties": ["confidentiality", "integrity"],
            },
            position=0,
        )
    ]
    assert links == []


def test_atlas_tactics_and_mitigates_fields_become_links_and_parent_becomes_a_uid() -> None:
    text = ATLAS_HEAD + (
        "- id: AML.T0040\n"
        "  kind: technique\n"
        "  name: Inference API Access\n"
        "  summary: Query it.\n"
        "  maturity: realized\n"
        "  tactics: [AML.TA0000]\n"
        "- id: AML.T0040.000\n"
        "  kind: technique\n"
        "  parent: AML.T0040\n"
        "  name: Sub\n"
        "  summary: Sub-technique.\n"
        "- id: AML.M0004\n"
        "  kind: mitigation\n"
        "  name: Restrict queries\n"
        "  summary: Rate limit.\n"
        "  mitigates: [AML.T0040, AML.T0040.000]\n"
    )

    _, entries, links = parse_catalogue_file("atlas", text, "atlas.yaml")

    by_ref = {e.ref: e for e in entries}
    assert [e.position for e in entries] == [0, 1, 2, 3]
    assert by_ref["AML.T0040"].attributes == {"maturity": "realized"}
    assert by_ref["AML.T0040.000"].parent_uid == "atlas:AML.T0040"
    assert by_ref["AML.M0004"].attributes == {}
    assert links == [
        Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC),
        Link("atlas:AML.M0004", "atlas:AML.T0040", Relation.MITIGATES),
        Link("atlas:AML.M0004", "atlas:AML.T0040.000", Relation.MITIGATES),
    ]


# ---------------------------------------------------------------- YAML syntax


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("catalogue: iso27002\nversion: 2022: x\n", 2),  # a mapping value where none may be
        ("catalogue: iso27002\nversion: '1'\n\ttitle: x\n", 3),  # a tab cannot start a token
        ("a: 1\nb:\n  - x\n - y\n", 4),  # bad indentation
        ("a: [1, 2\n", 2),  # unclosed flow sequence: noticed at the end of the stream
    ],
)
def test_load_yaml_syntax_error_names_the_file_and_line(text: str, line: int) -> None:
    error = _error(load_yaml, text, "broken.yaml")

    assert error.file == "broken.yaml"
    assert error.line == line
    assert error.field is None
    assert error.message.startswith("not valid YAML: ")
    assert str(error).startswith(f"broken.yaml, line {line}: not valid YAML: ")


def test_syntax_error_in_a_catalogue_file_names_the_line() -> None:
    text = ISO27002_HEAD + CONTROL_51 + '  - id: "5.2"\n    kind: control: oops\n'  # line 18

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert (error.file, error.line) == ("27002.yaml", 18)
    assert "mapping values are not allowed" in error.message  # libyaml and PyYAML word the rest differently


def test_syntax_error_in_the_crosswalks_names_the_line() -> None:
    text = CROSSWALKS.replace("    rationale: Require screening.\n", "    rationale: [Require screening.\n")

    error = _error(parse_crosswalks, text, "crosswalks.yaml")

    assert error.file == "crosswalks.yaml"
    assert error.line == 15  # the next key after the unclosed flow sequence on line 14
    assert error.message.startswith("not valid YAML")


def test_load_yaml_keeps_the_line_of_each_mapping_and_list() -> None:
    document = load_yaml("top: 1\nitems:\n  - a: 1\n    b: 2\n  - a: 3\n", "x.yaml")

    assert document == {"top": 1, "items": [{"a": 1, "b": 2}, {"a": 3}]}
    assert document.line == 1
    assert document["items"].line == 3
    assert [item.line for item in document["items"]] == [3, 5]


# ---------------------------------------------------------------- schema violations


def test_missing_required_field_names_the_entry_line_and_the_field() -> None:
    text = ISO27002_HEAD + CONTROL_51 + '  - id: "5.2"\n    kind: control\n    name: "Roles"\n'  # line 17

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert error.file == "27002.yaml"
    assert error.line == 17
    assert error.field == "entries.1.summary"
    assert error.message == "'summary' is a required property"
    assert str(error) == "27002.yaml, line 17, field 'entries.1.summary': 'summary' is a required property"


def test_missing_top_level_field_names_line_1() -> None:
    text = 'catalogue: iso27002\nversion: "2022"\ntitle: "T"\nentries:\n  - id: "5.1"\n'

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert (error.line, error.field, error.message) == (1, "source", "'source' is a required property")


def test_wrong_kind_names_the_entry_line_and_the_kind_field() -> None:
    text = ISO27002_HEAD + CONTROL_51.replace("kind: control", "kind: clause")

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert error.file == "27002.yaml"
    assert error.line == 10  # the line of the 'kind' key, not of its entry
    assert error.field == "entries.0.kind"
    assert error.message == "'clause' is not one of ['control']"


def test_a_number_where_an_id_string_is_expected_is_refused() -> None:
    text = ISO27002_HEAD + CONTROL_51.replace('id: "5.1"', "id: 5.1")

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert (error.line, error.field) == (9, "entries.0.id")
    assert error.message == "5.1 is not of type 'string'"


def test_unknown_extra_field_names_the_entry_line_and_the_field() -> None:
    text = ISO27002_HEAD + CONTROL_51 + '  - id: "5.2"\n    kind: control\n    name: "R"\n    summary: "s"\n'
    text += "    colour: red\n"  # line 21

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert error.file == "27002.yaml"
    assert error.line == 21
    assert error.field == "entries.1.colour"
    assert error.message == "Additional properties are not allowed ('colour' was unexpected)"


def test_a_link_listed_twice_in_an_atlas_entry_is_refused() -> None:
    text = ATLAS_HEAD + (
        "- id: AML.T0040\n"
        "  kind: technique\n"
        "  name: Inference API Access\n"
        "  summary: Query it.\n"
        "  tactics: [AML.TA0000, AML.TA0000]\n"  # line 17
    )

    error = _error(parse_catalogue_file, "atlas", text, "atlas.yaml")

    assert (error.file, error.line, error.field) == ("atlas.yaml", 17, "entries.1.tactics")
    assert error.message == "['AML.TA0000', 'AML.TA0000'] has non-unique elements"


def test_a_crosswalk_mapping_listed_twice_is_refused() -> None:
    text = CROSSWALKS.replace("  - nist-ai-rmf:1.0:MEASURE-2\n", "  - nist-ai-rmf:1.0:MEASURE-2\n" * 2)

    error = _error(parse_crosswalks, text, "crosswalks.yaml")

    assert (error.line, error.field) == (17, "threat_controls.0.nist_ai_rmf")  # where the list starts
    assert (
        error.message == "['nist-ai-rmf:1.0:MEASURE-2', 'nist-ai-rmf:1.0:MEASURE-2'] has non-unique elements"
    )


def test_attribute_value_outside_the_vocabulary_names_its_list_line() -> None:
    text = ISO27002_HEAD + CONTROL_51.replace("[preventive]", "[preventive, sneaky]")

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert error.line == 15
    assert error.field == "entries.0.attributes.control_type.1"
    assert error.message == "'sneaky' is not one of ['preventive', 'detective', 'corrective']"


def test_a_file_for_another_catalogue_is_refused() -> None:
    error = _error(parse_catalogue_file, "iso27001", ISO27002_HEAD + CONTROL_51, "27001.yaml")

    assert (error.file, error.line, error.field) == ("27001.yaml", 1, "catalogue")


def test_an_empty_file_is_refused_without_a_line() -> None:
    error = _error(parse_catalogue_file, "iso27002", "", "27002.yaml")

    assert (error.file, error.line) == ("27002.yaml", None)
    assert error.message == "None is not of type 'object'"


def test_duplicate_id_names_the_line_of_the_second_entry() -> None:
    second = CONTROL_51.replace("Policies for information security", "Another")
    text = ISO27002_HEAD + CONTROL_51 + second  # second entry starts on line 17

    error = _error(parse_catalogue_file, "iso27002", text, "27002.yaml")

    assert (error.file, error.line, error.field) == ("27002.yaml", 17, "id")
    assert error.message == "duplicate id '5.1'"


# ---------------------------------------------------------------- crosswalks


def test_crosswalks_parse_into_treated_by_and_maps_to_links_with_lines() -> None:
    source, links, lines = parse_crosswalks(CROSSWALKS, "crosswalks.yaml")

    assert (source.key, source.version, source.publisher) == ("crosswalks", "1", "P")
    assert links == [
        Link(
            "owasp-llm:2025:LLM01",
            "iso27002:2022:8.28",
            Relation.TREATED_BY,
            "Keep instructions and untrusted text apart.",
        ),
        Link("owasp-llm:2025:LLM01", "iso27002:2022:8.26", Relation.TREATED_BY, "Require screening."),
        Link("owasp-llm:2025:LLM01", "iso42001:2023:A.6.2.4", Relation.MAPS_TO),
        Link("owasp-llm:2025:LLM01", "nist-ai-rmf:1.0:MEASURE-2", Relation.MAPS_TO),
    ]
    assert lines == {0: 11, 1: 13, 2: 9, 3: 9}


def test_crosswalk_control_without_rationale_names_its_line() -> None:
    text = CROSSWALKS.replace("    rationale: Require screening.\n", "")

    error = _error(parse_crosswalks, text, "crosswalks.yaml")

    assert (error.file, error.line, error.field) == (
        "crosswalks.yaml",
        13,
        "threat_controls.0.controls.1.rationale",
    )
    assert error.message == "'rationale' is a required property"


def test_crosswalk_empty_rationale_is_refused() -> None:
    text = CROSSWALKS.replace("Require screening.", "''")

    error = _error(parse_crosswalks, text, "crosswalks.yaml")

    assert (error.line, error.field) == (14, "threat_controls.0.controls.1.rationale")
    assert error.message == "'' should be non-empty"


def test_crosswalk_unknown_extra_field_is_refused() -> None:
    text = CROSSWALKS + "  owasp: [x]\n"  # line 18

    error = _error(parse_crosswalks, text, "crosswalks.yaml")

    assert (error.line, error.field) == (18, "threat_controls.0.owasp")
    assert error.message == "Additional properties are not allowed ('owasp' was unexpected)"


# ---------------------------------------------------------------- check_references


def _entry(uid: str, kind: str, parent_uid: str | None = None) -> Entry:
    catalogue, _, ref = uid.partition(":")
    if catalogue in ("iso27001", "iso27002"):
        ref = ref.split(":", 1)[1]
    return Entry(
        uid=uid, catalogue=catalogue, ref=ref, kind=kind, name=ref, summary="s", parent_uid=parent_uid
    )


def _catalogue(entries: list[Entry], links: list[Link]) -> Catalogue:
    return Catalogue(entries={e.uid: e for e in entries}, links=links)


def test_check_references_accepts_a_consistent_catalogue() -> None:
    catalogue = _catalogue(
        [
            _entry("atlas:AML.TA0000", "tactic"),
            _entry("atlas:AML.T0040", "technique"),
            _entry("atlas:AML.T0040.000", "technique", parent_uid="atlas:AML.T0040"),
            _entry("iso27001:2022:6", "clause"),
            _entry("iso27001:2022:6.1", "clause", parent_uid="iso27001:2022:6"),
        ],
        [Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC)],
    )

    assert check_references(catalogue) is None


def test_check_references_refuses_an_unknown_parent() -> None:
    catalogue = _catalogue([_entry("iso27001:2022:6.1", "clause", parent_uid="iso27001:2022:6")], [])

    error = _error(check_references, catalogue)

    assert error.file == "iso27001-2022.yaml"
    assert error.field == "parent"
    assert error.message == "6.1: unknown parent 'iso27001:2022:6'"


def test_check_references_refuses_a_dangling_link_target() -> None:
    catalogue = _catalogue(
        [_entry("atlas:AML.TA0000", "tactic"), _entry("atlas:AML.T0040", "technique")],
        [
            Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC),
            Link("atlas:AML.T0040", "iso27002:2022:9.99", Relation.TREATED_BY, "r"),
        ],
    )

    error = _error(check_references, catalogue)

    assert error.file == "atlas.yaml"
    assert error.message == "atlas:AML.T0040: unknown identifier 'iso27002:2022:9.99' (treated-by)"


def test_check_references_refuses_a_dangling_link_source() -> None:
    catalogue = _catalogue(
        [_entry("iso27002:2022:8.28", "control")],
        [Link("owasp-llm:2025:LLM99", "iso27002:2022:8.28", Relation.TREATED_BY, "r")],
    )

    error = _error(check_references, catalogue)

    assert "unknown identifier 'owasp-llm:2025:LLM99'" in error.message


def test_check_references_refuses_a_parentless_technique_without_tactic() -> None:
    catalogue = _catalogue(
        [_entry("atlas:AML.TA0000", "tactic"), _entry("atlas:AML.T0040", "technique")],
        [],
    )

    error = _error(check_references, catalogue)

    assert error.file == "atlas.yaml"
    assert error.field == "tactics"
    assert error.message == "AML.T0040: a technique needs a tactic or a parent"


def test_check_references_accepts_a_sub_technique_without_its_own_tactic() -> None:
    catalogue = _catalogue(
        [
            _entry("atlas:AML.TA0000", "tactic"),
            _entry("atlas:AML.T0040", "technique"),
            _entry("atlas:AML.T0040.000", "technique", parent_uid="atlas:AML.T0040"),
        ],
        [Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC)],
    )

    check_references(catalogue)  # no error: the sub-technique inherits its parent's tactic
