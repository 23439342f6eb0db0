"""The asset table (CSV/XLSX rows): parsing with row and column errors, booleans, enums, lists, the way
back to rows, and the dependency graph helpers the import uses. Pure Python: no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.asset_table import (
    COLUMNS,
    AssetRecord,
    Component,
    check_header,
    guard_formula,
    parse_bool,
    parse_rows,
    record_to_row,
    records_to_rows,
    unguard_formula,
)
from aisms.domain.assets import AssetKind, CiaValue, Classification, find_cycles, find_path, reachable
from aisms.domain.table_errors import RowError

NGINX_CPE = "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"
DJANGO_CPE = "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*"


def row(**cells: str) -> dict[str, str]:
    """A full row: every column present, empty unless given."""
    return {column: cells.get(column, "") for column in COLUMNS}


def errors_of(*rows: dict[str, str]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in parse_rows(list(rows)).errors]


# --- a good row ----------------------------------------------------------------------------------------


def test_a_full_row_becomes_a_record_with_every_field() -> None:
    parsed = parse_rows(
        [
            row(
                name="Triage Assistant",
                kind="ai_system",
                description="Suggests an urgency level.",
                owner="daniel",
                classification="restricted",
                confidentiality="very_high",
                integrity="high",
                availability="medium",
                hosting="AWS eu-west-1",
                supplier="",
                in_scope="yes",
                ai_purpose="Triage",
                model_type="LLM (hosted API)",
                data_sources="Patient messages",
                deployment="EKS",
                learns_from_user_data="no",
                processes_personal_data="yes",
                reads_untrusted_content="true",
                can_act="false",
                publicly_exposed="YES",
                eu_ai_act_tier="eu-ai-act:2024:high",
                depends_on="Nimbus API; Guideline store",
                software_components=f"nginx|nginx|1.24.0|{NGINX_CPE}; Acme|Widget",
            )
        ]
    )

    assert parsed.errors == ()
    assert parsed.columns == frozenset(COLUMNS)
    assert [r.row for r in parsed.rows] == [2]
    assert parsed.rows[0].record == AssetRecord(
        name="Triage Assistant",
        kind=AssetKind.AI_SYSTEM,
        description="Suggests an urgency level.",
        owner="daniel",
        classification=Classification.RESTRICTED,
        confidentiality=CiaValue.VERY_HIGH,
        integrity=CiaValue.HIGH,
        availability=CiaValue.MEDIUM,
        hosting="AWS eu-west-1",
        supplier="",
        in_scope=True,
        ai_purpose="Triage",
        model_type="LLM (hosted API)",
        data_sources="Patient messages",
        deployment="EKS",
        learns_from_user_data=False,
        processes_personal_data=True,
        reads_untrusted_content=True,
        can_act=False,
        publicly_exposed=True,
        eu_ai_act_tier="eu-ai-act:2024:high",
        depends_on=("Nimbus API", "Guideline store"),
        software_components=(Component("nginx", "nginx", "1.24.0", NGINX_CPE), Component("Acme", "Widget")),
    )


def test_only_name_and_kind_are_required_and_missing_columns_take_defaults() -> None:
    parsed = parse_rows([{"name": "Wiki", "kind": "application"}])

    assert parsed.errors == ()
    assert parsed.columns == frozenset({"name", "kind"})
    assert parsed.rows[0].record == AssetRecord(name="Wiki", kind=AssetKind.APPLICATION)
    record = parsed.rows[0].record
    assert (record.classification, record.confidentiality, record.in_scope, record.can_act) == (
        Classification.INTERNAL,
        CiaValue.MEDIUM,
        True,
        None,
    )


def test_header_cells_are_read_in_any_case_with_spaces_for_underscores() -> None:
    parsed = parse_rows([{" Name ": "Wiki", "KIND": "Application", "In scope": "no", "EU-AI-Act tier": ""}])

    assert parsed.errors == ()
    assert parsed.columns == frozenset({"name", "kind", "in_scope", "eu_ai_act_tier"})
    assert parsed.rows[0].record.in_scope is False


def test_text_is_stripped_and_line_ends_become_newlines() -> None:
    parsed = parse_rows([row(name="  Wiki  ", kind="application", description=" one\r\ntwo\rthree \n")])

    record = parsed.rows[0].record
    assert (record.name, record.description) == ("Wiki", "one\ntwo\nthree")


def test_empty_rows_are_skipped_and_row_numbers_can_be_given() -> None:
    rows = [row(name="A", kind="model"), row(), row(name="B", kind="dataset")]

    parsed = parse_rows(rows, row_numbers=[2, 3, 7])

    assert [(r.row, r.record.name) for r in parsed.rows] == [(2, "A"), (7, "B")]


# --- booleans and enums --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("YES", True), ("true", True), ("True", True), ("no", False), ("No", False),
     ("false", False), ("FALSE", False), ("", None), ("  ", None), (" yes ", True)],
)  # fmt: skip
def test_booleans_are_yes_no_true_false_or_empty(text: str, value: bool | None) -> None:
    assert parse_bool(text) is value
    parsed = parse_rows([row(name="A", kind="agent", can_act=text)])
    assert parsed.rows[0].record.can_act is value


def test_in_scope_left_empty_means_in_scope() -> None:
    parsed = parse_rows([row(name="A", kind="agent", in_scope="")])
    assert parsed.rows[0].record.in_scope is True


@pytest.mark.parametrize("text", ["maybe", "1", "0", "y", "n", "unknown"])
def test_other_boolean_words_are_errors_naming_row_and_column(text: str) -> None:
    assert errors_of(row(name="A", kind="agent", publicly_exposed=text)) == [
        (2, "publicly_exposed", f"{text!r} is not yes, no, true, false or empty")
    ]


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("kind", "ai_system", AssetKind.AI_SYSTEM),
        ("kind", "AI system", AssetKind.AI_SYSTEM),
        ("kind", "AI SYSTEM", AssetKind.AI_SYSTEM),
        ("kind", "data set (training/evaluation)", AssetKind.DATASET),
        ("kind", "Third-party AI service", AssetKind.AI_SERVICE),
        ("kind", "VECTOR_STORE", AssetKind.VECTOR_STORE),
        ("classification", "Confidential", Classification.CONFIDENTIAL),
        ("classification", "RESTRICTED", Classification.RESTRICTED),
        ("confidentiality", "very_high", CiaValue.VERY_HIGH),
        ("integrity", "Very high", CiaValue.VERY_HIGH),
        ("availability", "LOW", CiaValue.LOW),
    ],
)
def test_enum_cells_accept_the_value_or_the_label_in_any_case(column: str, text: str, value: object) -> None:
    cells = {"name": "A", "kind": "model", column: text}
    parsed = parse_rows([row(**cells)])
    assert parsed.errors == ()
    assert getattr(parsed.rows[0].record, column) == value


# --- every kind of error, with its row and column ------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"name": "", "kind": "model", "description": "x"}, "name", "an asset needs a name"),
        ({"name": "A"}, "kind", "an asset needs a kind"),
        (
            {"name": "A", "kind": "robot"},
            "kind",
            "'robot' is not a kind of asset; use one of: information, application, infrastructure, service, "
            "people, site, ai_system, model, dataset, ml_pipeline, vector_store, agent, ai_service",
        ),
        (
            {"name": "A", "kind": "model", "classification": "secret"},
            "classification",
            "'secret' is not a classification; use one of: public, internal, confidential, restricted",
        ),
        (
            {"name": "A", "kind": "model", "integrity": "extreme"},
            "integrity",
            "'extreme' is not a integrity value; use one of: low, medium, high, very_high",
        ),
        ({"name": "x" * 201, "kind": "model"}, "name", "longer than 200 characters (201)"),
        ({"name": "A", "kind": "model", "hosting": "h" * 201}, "hosting", "longer than 200 characters (201)"),
        (
            {"name": "A", "kind": "model", "eu_ai_act_tier": "t" * 41},
            "eu_ai_act_tier",
            "longer than 40 characters (41)",
        ),
        ({"name": "A", "kind": "model", "supplier": "Nimbus\nAI"}, "supplier", "must be a single line"),
        (
            {"name": "A", "kind": "model", "depends_on": "B; A"},
            "depends_on",
            "an asset cannot depend on itself",
        ),
        (
            {"name": "A", "kind": "model", "software_components": "Acme|Widget|1.0|cpe:2.3:a:acme"},
            "software_components",
            "entry 1: 'cpe:2.3:a:acme' is not a CPE 2.3 name "
            "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)",
        ),
        (
            {"name": "A", "kind": "model", "software_components": "nginx|nginx; Acme"},
            "software_components",
            "entry 2 ('Acme') needs a vendor and a product: vendor|product|version|cpe",
        ),
        (
            {"name": "A", "kind": "model", "software_components": "a|b|c|d|e"},
            "software_components",
            "entry 1 ('a|b|c|d|e') has 5 parts; write vendor|product|version|cpe",
        ),
        (
            {"name": "A", "kind": "model", "software_components": "|Widget|1.0"},
            "software_components",
            "entry 1 ('|Widget|1.0') needs a vendor and a product: vendor|product|version|cpe",
        ),
        (
            {"name": "A", "kind": "model", "software_components": f"Acme|Widget|{'9' * 101}"},
            "software_components",
            "entry 1: version is longer than 100 characters",
        ),
    ],
)
def test_each_bad_cell_is_an_error_naming_row_and_column(
    cells: dict[str, str], column: str, message: str
) -> None:
    parsed = parse_rows([row(name="Fine", kind="model"), row(**cells)])

    assert [(e.row, e.column, e.message) for e in parsed.errors] == [(3, column, message)]
    assert [r.record.name for r in parsed.rows] == ["Fine"]


def test_a_name_may_appear_on_one_row_only() -> None:
    assert errors_of(
        row(name="A", kind="model"), row(name="B", kind="model"), row(name="A", kind="dataset")
    ) == [(4, "name", "'A' is also on row 2; list each asset once")]


def test_every_error_of_every_row_is_collected_in_row_then_column_order() -> None:
    parsed = parse_rows(
        [
            row(name="A", kind="robot", in_scope="perhaps"),
            row(name="B", kind="model"),
            row(name="C", kind="model", confidentiality="huge", software_components="x", can_act="2"),
        ]
    )

    assert [(e.row, e.column) for e in parsed.errors] == [
        (2, "kind"),
        (2, "in_scope"),
        (4, "confidentiality"),
        (4, "can_act"),
        (4, "software_components"),
    ]
    assert [r.record.name for r in parsed.rows] == ["B"]


def test_header_problems_are_errors_on_row_1() -> None:
    assert check_header(["name", "knd", "owner", "owner", "colour"]) == [
        RowError(1, "knd", "unknown column; did you mean 'kind'?"),
        RowError(1, "owner", "the column appears more than once"),
        RowError(1, "colour", f"unknown column; the columns are: {', '.join(COLUMNS)}"),
        RowError(1, "kind", "required column is missing"),
    ]


def test_without_required_columns_no_row_is_read() -> None:
    parsed = parse_rows([{"name": "A", "description": "x"}])
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [
        (1, "kind", "required column is missing")
    ]
    assert parsed.rows == ()


def test_a_header_without_asset_rows_is_an_error() -> None:
    parsed = parse_rows([row()], header=list(COLUMNS))
    assert [str(e) for e in parsed.errors] == ["row 2: the file has a header but no asset rows"]


def test_row_errors_read_as_row_and_column() -> None:
    assert str(RowError(4, "kind", "bad")) == "row 4, column kind: bad"
    assert str(RowError(3, "", "too many cells")) == "row 3: too many cells"
    assert str(RowError(0, "", "the file is empty")) == "the file is empty"


# --- lists with separators inside values ---------------------------------------------------------------


def test_escaped_separators_stay_inside_names_and_component_parts() -> None:
    parsed = parse_rows(
        [
            row(
                name="A",
                kind="application",
                depends_on=r"R\&D wiki; Billing\; legacy; Billing\; legacy",
                software_components=r"Pipe\|Works|Tool\\Box|2.0",
            )
        ]
    )

    assert parsed.errors == ()
    record = parsed.rows[0].record
    assert record.depends_on == ("R&D wiki", "Billing; legacy")
    assert record.software_components == (Component("Pipe|Works", "Tool\\Box", "2.0"),)


def test_a_cpe_name_keeps_its_own_escapes() -> None:
    cpe = r"cpe:2.3:a:acme:wid\:get:1.0:*:*:*:*:*:*:*"
    parsed = parse_rows([row(name="A", kind="application", software_components=f"Acme|Wid:get|1.0|{cpe}")])

    assert parsed.errors == ()
    assert parsed.rows[0].record.software_components == (Component("Acme", "Wid:get", "1.0", cpe),)
    assert record_to_row(parsed.rows[0].record)["software_components"] == f"Acme|Wid:get|1.0|{cpe}"


# --- back to rows --------------------------------------------------------------------------------------


def test_a_record_becomes_a_row_of_cell_texts_in_column_order() -> None:
    record = AssetRecord(
        name="Patient portal",
        kind=AssetKind.APPLICATION,
        owner="sofia",
        classification=Classification.RESTRICTED,
        confidentiality=CiaValue.VERY_HIGH,
        in_scope=False,
        publicly_exposed=True,
        can_act=False,
        depends_on=("Triage; Assistant", "EKS"),
        software_components=(Component("nginx", "nginx", "1.24.0", NGINX_CPE), Component("Acme", "Widget")),
    )

    cells = record_to_row(record)

    assert list(cells) == list(COLUMNS)
    assert cells == {
        **dict.fromkeys(COLUMNS, ""),
        "name": "Patient portal",
        "kind": "application",
        "owner": "sofia",
        "classification": "restricted",
        "confidentiality": "very_high",
        "integrity": "medium",
        "availability": "medium",
        "in_scope": "no",
        "publicly_exposed": "yes",
        "can_act": "no",
        "depends_on": r"Triage\; Assistant; EKS",
        "software_components": f"nginx|nginx|1.24.0|{NGINX_CPE}; Acme|Widget",
    }


texts = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.just("\n")), max_size=25
).map(str.strip)
line = texts.filter(lambda t: "\n" not in t)
names = line.filter(bool)
cpes = st.sampled_from(["", NGINX_CPE, DJANGO_CPE, r"cpe:2.3:a:acme:wid\;get:1.0:*:*:*:*:*:*:*"])
components = st.builds(Component, vendor=names, product=names, version=line, cpe=cpes)
tri_state = st.sampled_from([True, False, None])
records = st.builds(
    AssetRecord,
    name=names,
    kind=st.sampled_from(list(AssetKind)),
    description=texts,
    owner=line,
    classification=st.sampled_from(list(Classification)),
    confidentiality=st.sampled_from(list(CiaValue)),
    integrity=st.sampled_from(list(CiaValue)),
    availability=st.sampled_from(list(CiaValue)),
    hosting=line,
    supplier=line,
    in_scope=st.booleans(),
    ai_purpose=texts,
    model_type=line,
    data_sources=texts,
    deployment=line,
    learns_from_user_data=tri_state,
    processes_personal_data=tri_state,
    reads_untrusted_content=tri_state,
    can_act=tri_state,
    publicly_exposed=tri_state,
    eu_ai_act_tier=st.sampled_from(["", "eu-ai-act:2024:high", "eu-ai-act:2024:minimal"]),
    depends_on=st.lists(names, unique=True, max_size=4).map(tuple),
    software_components=st.lists(components, max_size=3).map(tuple),
)


@given(st.lists(records, max_size=5, unique_by=lambda r: r.name))
def test_records_survive_the_way_to_rows_and_back(originals: list[AssetRecord]) -> None:
    originals = [r for r in originals if r.name not in r.depends_on]
    rows = records_to_rows(originals)

    parsed = parse_rows(rows, header=list(COLUMNS))

    if originals:
        assert parsed.errors == ()
    assert [p.record for p in parsed.rows] == originals
    assert records_to_rows(p.record for p in parsed.rows) == rows


@given(st.text(max_size=20))
def test_formula_guard_is_undone_exactly(value: str) -> None:
    guarded = guard_formula(value)
    assert not guarded.startswith(("=", "+", "-", "@"))
    assert unguard_formula(guarded) == value


def test_formula_guard_prefixes_only_formula_starts() -> None:
    assert guard_formula('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert guard_formula("@SUM(A1)") == "'@SUM(A1)"
    assert guard_formula("Triage Assistant") == "Triage Assistant"
    assert unguard_formula("'quoted") == "'quoted"


# --- the dependency graph ------------------------------------------------------------------------------

GRAPH = {"portal": ["triage", "eks"], "triage": ["llm", "store", "eks"], "store": ["eks"], "llm": []}


def test_reachable_gives_every_transitive_dependency_with_its_distance() -> None:
    assert reachable(GRAPH, "portal") == {"triage": 1, "eks": 1, "llm": 2, "store": 2}
    assert reachable(GRAPH, "eks") == {}


def test_find_path_is_a_shortest_path_or_none() -> None:
    assert find_path(GRAPH, "portal", "eks") == ["portal", "eks"]
    assert find_path(GRAPH, "portal", "llm") == ["portal", "triage", "llm"]
    assert find_path(GRAPH, "llm", "portal") is None


def test_find_cycles_names_each_cycle_once() -> None:
    assert find_cycles(GRAPH) == []
    cyclic = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["d"], "e": ["a"]}
    assert find_cycles(cyclic) == [["a", "b", "c", "a"], ["d", "d"]]
