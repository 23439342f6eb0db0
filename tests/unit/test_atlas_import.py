"""Reading an upstream MITRE ATLAS distribution file (the ``dist/ATLAS.yaml`` shape).

Every sample is a small file the test writes; every error names the exact file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aisms.catalogue.atlas_import import AtlasDistribution, parse_atlas_distribution
from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.model import LabelledExample, Link, Relation

GOOD = """\
id: ATLAS
name: Adversarial Threat Landscape for AI Systems
version: 5.6.0
matrices:
- id: ATLAS
  name: ATLAS Matrix
  tactics:
  - id: AML.TA0000
    name: AI Model Access
    description: Access the model.
  - id: AML.TA0002
    name: Reconnaissance
    description: Learn about the target.
    ATT&CK-reference:
      id: TA0043
      url: https://attack.mitre.org/tactics/TA0043/
  techniques:
  - id: AML.T0040
    name: AI Model Inference API Access
    description: |
      Adversaries may gain access to a model via legitimate API access.
    tactics:
    - AML.TA0000
    maturity: realized
  - id: AML.T0000
    name: Search Open Technical Databases
    description: Adversaries may search for research.
    tactics:
    - AML.TA0002
    maturity: demonstrated
  - id: AML.T0000.001
    name: Journals and Conference Proceedings
    description: Papers.
    subtechnique-of: AML.T0000
    maturity: feasible
  mitigations:
  - id: AML.M0004
    name: Restrict Number of AI Model Queries
    description: Limit queries.
    category:
    - Technical - ML
    ml-lifecycle:
    - Deployment
    - {stray: object}
    techniques:
    - id: AML.T0040
      use: Limit the total number of queries.
    - id: AML.T0000.001
      use: Fewer papers.
case-studies:
- id: AML.CS0000
  name: Evasion of Deep Learning Detector
  procedure:
  - tactic: AML.TA0002
    technique: AML.T0000
    description: The team searched public research.
  - tactic: AML.TA0000
    technique: AML.T0040
    description: "  They queried the model.  "
  - tactic: AML.TA0000
    technique: AML.T0040
    description: ""
  - tactic: AML.TA0002
    technique: AML.T0000.001
    description: They read the conference paper.
"""


def line_of(text: str, marker: str) -> int:
    """The 1-based line on which ``marker`` starts; it must begin a line, and do so exactly once."""
    starts = [i for i in range(len(text)) if text.startswith(marker, i) and (i == 0 or text[i - 1] == "\n")]
    assert len(starts) == 1, marker
    return text[: starts[0]].count("\n") + 1


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def write(tmp_path: Path):
    """Write a distribution file and return (text read back, file name to report)."""

    def _write(text: str, name: str = "ATLAS.yaml") -> tuple[str, str]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path.read_text(encoding="utf-8"), str(path)

    return _write


def parse_error(text: str, filename: str) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        parse_atlas_distribution(text, filename)
    assert caught.value.file == filename
    return caught.value


# ---------------------------------------------------------------- a good file


@pytest.fixture
def good(write) -> AtlasDistribution:
    text, filename = write(GOOD)
    return parse_atlas_distribution(text, filename)


def test_good_file_counts_entries_by_kind(good: AtlasDistribution) -> None:
    kinds = [e.kind for e in good.entries]

    assert kinds.count("tactic") == 2
    assert kinds.count("technique") == 3
    assert kinds.count("mitigation") == 1
    assert [e.uid for e in good.entries] == [
        "atlas:AML.TA0000",
        "atlas:AML.TA0002",
        "atlas:AML.T0040",
        "atlas:AML.T0000",
        "atlas:AML.T0000.001",
        "atlas:AML.M0004",
    ]
    assert [e.position for e in good.entries] == [0, 1, 2, 3, 4, 5]
    assert all(e.catalogue == "atlas" for e in good.entries)


def test_good_file_gives_tactic_and_mitigates_links(good: AtlasDistribution) -> None:
    assert good.links == [
        Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC),
        Link("atlas:AML.T0000", "atlas:AML.TA0002", Relation.TACTIC),
        Link("atlas:AML.M0004", "atlas:AML.T0040", Relation.MITIGATES),
        Link("atlas:AML.M0004", "atlas:AML.T0000.001", Relation.MITIGATES),
    ]


def test_a_link_listed_twice_upstream_is_kept_once(write) -> None:
    twice = replace_once(
        GOOD,
        "    - AML.TA0000\n    maturity: realized",
        "    - AML.TA0000\n    - AML.TA0000\n    maturity: realized",
    )
    twice = replace_once(
        twice,
        "    - id: AML.T0040\n      use:",
        "    - id: AML.T0040\n      use: Again.\n    - id: AML.T0040\n      use:",
    )
    text, filename = write(twice)

    dist = parse_atlas_distribution(text, filename)

    assert dist.links == [
        Link("atlas:AML.T0040", "atlas:AML.TA0000", Relation.TACTIC),
        Link("atlas:AML.T0000", "atlas:AML.TA0002", Relation.TACTIC),
        Link("atlas:AML.M0004", "atlas:AML.T0040", Relation.MITIGATES),
        Link("atlas:AML.M0004", "atlas:AML.T0000.001", Relation.MITIGATES),
    ]


def test_good_file_sub_technique_has_its_parent_and_no_tactic_link(good: AtlasDistribution) -> None:
    by_ref = {e.ref: e for e in good.entries}

    assert by_ref["AML.T0000.001"].parent_uid == "atlas:AML.T0000"
    assert by_ref["AML.T0000"].parent_uid is None
    assert [link for link in good.links if link.source_uid == "atlas:AML.T0000.001"] == []


def test_good_file_labelled_examples_carry_case_study_and_step(good: AtlasDistribution) -> None:
    study = ("AML.CS0000", "Evasion of Deep Learning Detector")
    assert good.examples == [
        LabelledExample("The team searched public research.", "atlas:AML.T0000", *study, step=1),
        LabelledExample("They queried the model.", "atlas:AML.T0040", *study, step=2),
        # step 3 has an empty description: no example, but the numbering keeps upstream's steps
        LabelledExample("They read the conference paper.", "atlas:AML.T0000.001", *study, step=4),
    ]


def test_good_file_keeps_the_version_as_a_string(good: AtlasDistribution) -> None:
    assert good.version == "5.6.0"
    assert isinstance(good.version, str)


@pytest.mark.parametrize(("written", "kept"), [("5", "5"), ("'5.10'", "5.10"), ("5.10", "5.10")])
def test_a_numeric_version_is_kept_as_written(write, written: str, kept: str) -> None:
    text, filename = write(replace_once(GOOD, "version: 5.6.0\n", f"version: {written}\n"))

    dist = parse_atlas_distribution(text, filename)

    assert dist.version == kept


def test_good_file_keeps_upstream_description_in_attributes_and_leaves_summary_empty(
    good: AtlasDistribution,
) -> None:
    by_ref = {e.ref: e for e in good.entries}

    assert all(e.summary == "" for e in good.entries)
    assert by_ref["AML.TA0000"].attributes == {"upstream_description": "Access the model."}
    assert by_ref["AML.TA0002"].attributes == {
        "attack_ref": "TA0043",
        "upstream_description": "Learn about the target.",
    }
    assert by_ref["AML.T0040"].attributes == {
        "maturity": "realized",
        "upstream_description": "Adversaries may gain access to a model via legitimate API access.",
    }
    assert by_ref["AML.T0000.001"].attributes["maturity"] == "feasible"
    # non-string items in ml-lifecycle (upstream has shipped stray objects there) are skipped
    assert by_ref["AML.M0004"].attributes == {
        "categories": ["Technical - ML"],
        "lifecycle": ["Deployment"],
        "upstream_description": "Limit queries.",
    }
    assert by_ref["AML.T0040"].name == "AI Model Inference API Access"


def test_a_file_cut_short_before_its_mitigations_is_refused(write) -> None:
    text = GOOD[: GOOD.index("  mitigations:\n")]
    text, filename = write(text)

    error = parse_error(text, filename)

    # both 'mitigations' and 'case-studies' are missing; the top-level one comes first by path
    assert error.file == filename
    assert (error.line, error.field) == (1, "case-studies")
    assert error.message == "'case-studies' is a required property"


def test_a_matrix_without_mitigations_is_refused_naming_the_matrix_line(write) -> None:
    broken = GOOD[: GOOD.index("  mitigations:\n")] + GOOD[GOOD.index("case-studies:\n") :]
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "- id: ATLAS\n")
    assert (error.line, error.field) == (5, "matrices.0.mitigations")
    assert error.message == "'mitigations' is a required property"


def test_a_matrix_with_an_empty_mitigations_list_is_accepted(write) -> None:
    cut = GOOD[: GOOD.index("  mitigations:\n")] + "  mitigations: []\ncase-studies: []\n"
    text, filename = write(cut)

    dist = parse_atlas_distribution(text, filename)

    assert [e.kind for e in dist.entries] == ["tactic", "tactic", "technique", "technique", "technique"]
    assert dist.examples == []


def test_a_file_without_case_studies_is_refused(write) -> None:
    text = GOOD[: GOOD.index("case-studies:")]
    text, filename = write(text)

    error = parse_error(text, filename)

    assert (error.line, error.field) == (1, "case-studies")
    assert error.message == "'case-studies' is a required property"


# ---------------------------------------------------------------- malformed files


def test_malformed_yaml_names_the_line(write) -> None:
    broken = replace_once(GOOD, "    name: Reconnaissance\n", "    name: Reconnaissance: again\n")
    text, filename = write(broken, "atlas-5.6.0.yaml")

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "    name: Reconnaissance: again")
    assert error.line == 12
    assert error.message.startswith("not valid YAML: ")


@pytest.mark.parametrize("text", ["- id: ATLAS\n- version: 1\n", "just a sentence\n", "42\n"])
def test_a_top_level_that_is_not_a_mapping_is_refused(write, text: str) -> None:
    text, filename = write(text)

    error = parse_error(text, filename)

    assert error.line is None
    assert error.message == "expected a mapping with 'id', 'version' and 'matrices' at the top"


def test_an_empty_file_is_refused(write) -> None:
    text, filename = write("")

    error = parse_error(text, filename)

    assert error.message == "expected a mapping with 'id', 'version' and 'matrices' at the top"


def test_missing_matrices_is_refused_at_line_1(write) -> None:
    text, filename = write("id: ATLAS\nname: ATLAS\nversion: 5.6.0\ncase-studies: []\n")

    error = parse_error(text, filename)

    assert (error.line, error.field) == (1, "matrices")
    assert error.message == "'matrices' is a required property"


def test_empty_matrices_is_refused_naming_its_line(write) -> None:
    text, filename = write("id: ATLAS\nname: ATLAS\nversion: 5.6.0\nmatrices: []\ncase-studies: []\n")

    error = parse_error(text, filename)

    assert (error.line, error.field) == (4, "matrices")


def test_technique_referring_to_an_unknown_tactic_names_the_id_and_line(write) -> None:
    broken = replace_once(
        GOOD, "    - AML.TA0002\n    maturity: demonstrated", "    - AML.TA0099\n    maturity: demonstrated"
    )
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "  - id: AML.T0000\n")
    assert error.line == 25
    assert error.field == "tactics"
    assert error.message == "refers to 'AML.TA0099', which is not defined in this file"
    assert "AML.TA0099" in str(error)
    assert str(error).startswith(f"{filename}, line 25, field 'tactics': ")


def test_sub_technique_of_an_unknown_parent_names_the_line(write) -> None:
    broken = replace_once(GOOD, "subtechnique-of: AML.T0000\n", "subtechnique-of: AML.T0099\n")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "  - id: AML.T0000.001\n")
    assert error.line == 31
    assert error.field == "subtechnique-of"
    assert error.message == "refers to 'AML.T0099', which is not defined in this file"


def test_mitigation_referring_to_an_unknown_technique_names_the_line(write) -> None:
    broken = replace_once(GOOD, "    - id: AML.T0000.001\n      use:", "    - id: AML.T0077\n      use:")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "    - id: AML.T0077\n")
    assert error.line == 48
    assert error.field == "techniques"
    assert error.message == "refers to 'AML.T0077', which is not defined in this file"


def test_case_study_step_naming_an_unknown_technique_names_the_line(write) -> None:
    broken = replace_once(GOOD, "    technique: AML.T0000\n", "    technique: AML.T0055\n")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == line_of(broken, "  - tactic: AML.TA0002\n    technique: AML.T0055")
    assert error.line == 54
    assert error.field == "technique"
    assert error.message == "refers to 'AML.T0055', which is not defined in this file"


def test_a_tactic_id_used_where_a_technique_is_expected_in_a_mitigation(write) -> None:
    broken = replace_once(GOOD, "    - id: AML.T0040\n      use:", "    - id: AML.TA0000\n      use:")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == 46
    assert error.field == "techniques"
    assert error.message == "refers to 'AML.TA0000', which is a tactic, not a technique"


def test_a_tactic_id_used_where_a_technique_is_expected_in_a_case_study(write) -> None:
    broken = replace_once(GOOD, "    technique: AML.T0000\n", "    technique: AML.TA0002\n")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == 54
    assert error.field == "technique"
    assert error.message == "refers to 'AML.TA0002', which is a tactic, not a technique"


def test_a_technique_id_used_where_a_tactic_is_expected(write) -> None:
    broken = replace_once(
        GOOD, "    - AML.TA0000\n    maturity: realized", "    - AML.T0000\n    maturity: realized"
    )
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert error.line == 18
    assert error.field == "tactics"
    assert error.message == "refers to 'AML.T0000', which is a technique, not a tactic"


def test_a_sub_technique_of_a_tactic_is_refused(write) -> None:
    broken = replace_once(GOOD, "subtechnique-of: AML.T0000\n", "subtechnique-of: AML.TA0000\n")
    text, filename = write(broken)

    error = parse_error(text, filename)

    assert (error.line, error.field) == (31, "subtechnique-of")
    assert error.message == "refers to 'AML.TA0000', which is a tactic, not a technique"


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("  - id: AML.T0000\n", "  - id: AML.T0040\n", 25),  # two techniques
        ("  - id: AML.M0004\n", "  - id: AML.T0040\n", 37),  # a mitigation reusing a technique id
    ],
)
def test_a_duplicate_id_names_the_line_of_the_second_record(write, old: str, new: str, line: int) -> None:
    text, filename = write(replace_once(GOOD, old, new))

    error = parse_error(text, filename)

    assert (error.line, error.field) == (line, "id")
    assert error.message == "duplicate id 'AML.T0040'"


def test_a_technique_without_tactics_or_parent_is_refused(write) -> None:
    text, filename = write(replace_once(GOOD, "    tactics:\n    - AML.TA0002\n", ""))

    error = parse_error(text, filename)

    assert (error.line, error.field) == (25, "matrices.0.techniques.1")
    assert error.message.endswith("is not valid under any of the given schemas")


def test_an_id_not_in_atlas_form_is_refused(write) -> None:
    text, filename = write(replace_once(GOOD, "  - id: AML.T0000\n", "  - id: T0000\n"))

    error = parse_error(text, filename)

    assert (error.line, error.field) == (25, "matrices.0.techniques.1.id")


def test_an_unknown_maturity_is_refused(write) -> None:
    text, filename = write(replace_once(GOOD, "maturity: realized", "maturity: rumoured"))

    error = parse_error(text, filename)

    assert error.line == line_of(text, "    maturity: rumoured\n")
    assert (error.line, error.field) == (24, "matrices.0.techniques.0.maturity")
    assert error.message == "'rumoured' is not one of ['feasible', 'demonstrated', 'realized']"


# ---------------------------------------------------------------- truncated files


def test_a_file_cut_inside_a_sub_technique_record_is_refused(write) -> None:
    cut = GOOD[: GOOD.index("    subtechnique-of: AML.T0000\n")]  # the record lost its parent and the rest
    text, filename = write(cut)

    error = parse_error(text, filename)

    # the parentless record near the cut is reported, not the keys lost after it
    assert (error.line, error.field) == (31, "matrices.0.techniques.2")
    assert error.line == line_of(cut, "  - id: AML.T0000.001")


def test_a_file_cut_in_the_middle_of_an_id_is_refused(write) -> None:
    marker = "    subtechnique-of: AML.T00"
    cut = GOOD[: GOOD.index(marker) + len(marker)]
    text, filename = write(cut)

    error = parse_error(text, filename)

    # the half-written id near the cut is reported, not the keys lost after it
    assert (error.line, error.field) == (34, "matrices.0.techniques.2.subtechnique-of")
    assert "AML.T00" in error.message


def test_a_file_cut_inside_a_quoted_description_is_refused(write) -> None:
    marker = '    description: "  They'
    cut = GOOD[: GOOD.index(marker) + len(marker)]
    text, filename = write(cut)

    error = parse_error(text, filename)

    assert error.line == line_of(cut, marker)
    assert error.line == 59
    assert error.message.startswith("not valid YAML: ")


def test_a_file_cut_inside_a_case_study_step_is_refused(write) -> None:
    marker = '  - tactic: AML.TA0000\n    technique: AML.T0040\n    description: "  They'
    cut = GOOD[: GOOD.index(marker) + len("  - tactic: AML.TA0000\n")]  # the step lost its technique
    text, filename = write(cut)

    error = parse_error(text, filename)

    assert error.line == line_of(cut, "  - tactic: AML.TA0000\n")
    assert (error.line, error.field) == (57, "case-studies.0.procedure.1.technique")
    assert error.message == "'technique' is a required property"
