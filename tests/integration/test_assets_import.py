"""CSV and XLSX import and export of the asset inventory on a real database: all or nothing, errors by row
and column, upsert by name, and the round trip export -> import into an empty inventory -> export."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from aisms.apps.assets import services
from aisms.apps.assets.demo import load_demo_assets
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.assets.tabular import (
    AssetImportError,
    export_assets,
    import_assets,
    read_upload,
    write_csv,
)
from aisms.domain.asset_table import COLUMNS
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NGINX_CPE = "cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"
HEADER = ["name", "kind", "owner", "confidentiality", "depends_on", "software_components", "eu_ai_act_tier"]
GOOD_FIRST = [
    "Patient portal",
    "application",
    "sofia",
    "very_high",
    "Triage Assistant",
    f"nginx|nginx|1.24.0|{NGINX_CPE}",
    "",
]
BAD_MIDDLE = [
    "Triage Assistant",
    "robot",
    "nobody-here",
    "huge",
    "LLM API; Ghost",
    "Acme|Widget|1|cpe:bad",
    "extreme",
]
GOOD_LAST = ["LLM API", "ai_service", "daniel", "high", "", "", "gpai"]
BAD_MIDDLE_ERRORS = [
    "row 3, column kind: 'robot' is not a kind of asset; use one of: information, application, "
    "infrastructure, service, people, site, ai_system, model, dataset, ml_pipeline, vector_store, agent, "
    "ai_service",
    "row 3, column confidentiality: 'huge' is not a confidentiality value; use one of: low, medium, high, "
    "very_high",
    "row 3, column software_components: entry 1: 'cpe:bad' is not a CPE 2.3 name "
    "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people() -> dict[str, Any]:
    return {
        "amira": make_user("isms_manager", username="amira"),
        "daniel": make_user("risk_owner", username="daniel"),
        "sofia": make_user("contributor", username="sofia"),
    }


def csv_bytes(rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=index, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state() -> dict[str, Any]:
    return {
        "assets": list(Asset.objects.order_by("pk").values()),
        "links": sorted(Asset.depends_on.through.objects.values_list("from_asset_id", "to_asset_id")),
        "components": list(SoftwareComponent.objects.order_by("pk").values()),
        "asset_history": Asset.history.count(),  # type: ignore[attr-defined]
        "component_history": SoftwareComponent.history.count(),  # type: ignore[attr-defined]
    }


def rejected(data: bytes, filename: str, actor: Any = None) -> list[str]:
    with pytest.raises(AssetImportError) as caught:
        import_assets(actor, data, filename)
    assert caught.value.filename == filename
    return [str(e) for e in caught.value.errors]


def export_rows(actor: Any, file_format: str) -> list[list[str]]:
    data = export_assets(actor, Asset.objects.order_by("name"), file_format)
    if file_format == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


# --- a good import -------------------------------------------------------------------------------------


def test_a_csv_import_creates_assets_with_owners_dependencies_and_components(people: dict[str, Any]) -> None:
    data = csv_bytes(
        [
            HEADER,
            GOOD_FIRST,
            ["Triage Assistant", "AI system", "daniel", "high", "LLM API", "", "high"],
            GOOD_LAST,
        ]
    )

    result = import_assets(people["amira"], data, "inventory.csv")

    assert (result.filename, result.created, result.updated, result.unchanged) == ("inventory.csv", 3, 0, 0)
    portal = Asset.objects.get(name="Patient portal")
    triage = Asset.objects.get(name="Triage Assistant")
    assert (portal.kind, portal.owner, portal.confidentiality) == (
        "application",
        people["sofia"],
        "very_high",
    )
    assert list(portal.depends_on.values_list("name", flat=True)) == ["Triage Assistant"]
    assert list(portal.components.values_list("vendor", "product", "version", "cpe")) == [
        ("nginx", "nginx", "1.24.0", NGINX_CPE)
    ]
    assert (triage.kind, triage.eu_ai_act_tier) == ("ai_system", "eu-ai-act:2024:high")
    assert Asset.objects.get(name="LLM API").eu_ai_act_tier == "eu-ai-act:2024:gpai"
    assert {r.history_user_id for r in Asset.history.all()} == {people["amira"].pk}  # type: ignore[attr-defined]


def test_the_same_file_again_changes_nothing_and_a_changed_row_updates_by_name(
    people: dict[str, Any],
) -> None:
    rows = [HEADER, GOOD_FIRST, ["Triage Assistant", "ai_system", "daniel", "high", "", "", ""]]
    import_assets(people["amira"], csv_bytes(rows), "a.csv")
    before = state()

    again = import_assets(people["amira"], csv_bytes(rows), "a.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert state() == before

    rows[2][3] = "very_high"
    rows[1][5] = "nginx|nginx|1.25.3"
    changed = import_assets(people["amira"], csv_bytes(rows), "a.csv")

    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 0)
    assert Asset.objects.get(name="Triage Assistant").confidentiality == "very_high"
    assert list(SoftwareComponent.objects.values_list("version", "cpe")) == [("1.25.3", "")]


def test_columns_left_out_keep_the_stored_values(people: dict[str, Any]) -> None:
    wiki = services.create_asset(
        None, name="Wiki", kind="application", hosting="Dublin", owner=people["sofia"]
    )
    services.add_component(None, wiki, vendor="Atlassian", product="Confluence")

    import_assets(
        people["amira"],
        csv_bytes([["name", "kind", "supplier"], ["Wiki", "application", "Atlassian"]]),
        "w.csv",
    )

    wiki.refresh_from_db()
    assert (wiki.hosting, wiki.supplier, wiki.owner) == ("Dublin", "Atlassian", people["sofia"])
    assert wiki.components.count() == 1


def test_semicolon_csv_with_a_byte_order_mark_and_guarded_formulas(people: dict[str, Any]) -> None:
    data = csv_bytes(
        [["name", "kind", "description"], ["Wiki", "application", "'=not a formula"]], delimiter=";", bom=True
    )

    import_assets(people["amira"], data, "excel.csv")

    assert Asset.objects.get(name="Wiki").description == "=not a formula"


def test_an_xlsx_import_reads_the_first_sheet(people: dict[str, Any]) -> None:
    data = xlsx_bytes(
        [HEADER, GOOD_FIRST, [], ["Triage Assistant", "ai_system", "daniel", "high", "", "", ""]]
    )

    result = import_assets(people["amira"], data, "inventory.xlsx")

    assert (result.created, result.updated) == (2, 0)
    assert Asset.objects.get(name="Patient portal").depends_on.get().name == "Triage Assistant"


# --- a bad row changes nothing -------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_bad_row_in_the_middle_changes_nothing_and_every_error_names_row_and_column(
    people: dict[str, Any], file_format: str
) -> None:
    services.create_asset(None, name="Existing", kind="application")
    before = state()
    rows = [HEADER, GOOD_FIRST, BAD_MIDDLE, GOOD_LAST]
    data = csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)

    errors = rejected(data, f"inventory.{file_format}", people["amira"])

    assert errors == [
        BAD_MIDDLE_ERRORS[0],
        "row 3, column owner: no user named 'nobody-here'",
        BAD_MIDDLE_ERRORS[1],
        "row 3, column eu_ai_act_tier: 'extreme' is not an EU AI Act risk tier; use one of: "
        "gpai, gpai-systemic, high, limited, minimal, unacceptable",
        "row 3, column depends_on: no asset named 'Ghost' in the file or the inventory",
        BAD_MIDDLE_ERRORS[2],
    ]
    assert state() == before


def test_the_rejection_message_names_the_file(people: dict[str, Any]) -> None:
    with pytest.raises(AssetImportError) as caught:
        import_assets(people["amira"], csv_bytes([HEADER, BAD_MIDDLE]), "q3.csv")
    assert str(caught.value).startswith("q3.csv: nothing was changed. row 2, column kind: 'robot'")


def test_a_cycle_through_the_file_and_the_inventory_is_refused(people: dict[str, Any]) -> None:
    portal = services.create_asset(None, name="Portal", kind="application")
    triage = services.create_asset(None, name="Triage", kind="ai_system")
    services.set_dependencies(None, portal, [triage])
    before = state()
    data = csv_bytes(
        [
            ["name", "kind", "depends_on"],
            ["Nimbus", "ai_service", "Portal"],
            ["Triage", "ai_system", "Nimbus"],
        ]
    )

    errors = rejected(data, "cycle.csv", people["amira"])

    assert errors == ["row 2, column depends_on: dependency cycle: Nimbus → Portal → Triage → Nimbus"]
    assert state() == before


def test_a_contributor_may_import_new_assets_but_not_change_others_assets(people: dict[str, Any]) -> None:
    services.create_asset(None, name="Daniel's model", kind="model", owner=people["daniel"])
    services.create_asset(None, name="Sofia's store", kind="vector_store", owner=people["sofia"])
    before = state()
    data = csv_bytes(
        [
            ["name", "kind", "hosting"],
            ["Daniel's model", "model", "x"],
            ["Sofia's store", "vector_store", "y"],
        ]
    )

    errors = rejected(data, "mine.csv", people["sofia"])

    assert errors == ['row 2, column name: your role may not change "Daniel\'s model": it is owned by daniel']
    assert state() == before

    # Rows that leave someone else's asset as it is are fine (a re-imported export, say).
    result = import_assets(
        people["sofia"],
        csv_bytes(
            [
                ["name", "kind", "hosting"],
                ["Daniel's model", "model", ""],
                ["Sofia's store", "vector_store", "y"],
                ["New", "agent", ""],
            ]
        ),
        "ok.csv",
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)


def test_an_auditor_may_not_import() -> None:
    before = state()
    with pytest.raises(PermissionDenied):
        import_assets(make_user("auditor"), csv_bytes([HEADER, GOOD_LAST]), "a.csv")
    assert state() == before


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "the file is empty"),
        (
            b"name,kind\nWiki,application\n\xff\xfe",
            "latin.csv",
            "not UTF-8 text (byte 27): save it as 'CSV UTF-8'",
        ),
        (
            b"\xd0\xcf\x11\xe0binary",
            "old.xls",
            "only CSV and XLSX files can be imported: save it as .xlsx or as 'CSV UTF-8'",
        ),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "not a readable XLSX workbook"),
        (b"\n\nname,kind\n", "blank-first.csv", "row 1 must hold the column names, e.g. name, kind, owner"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data: bytes, filename: str, message: str) -> None:
    before = state()
    assert rejected(data, filename) == [message]
    assert state() == before


def test_size_and_row_limits() -> None:
    with pytest.raises(AssetImportError) as caught:
        read_upload(b"name,kind\nA,model\n", "big.csv", max_bytes=10)
    assert [str(e) for e in caught.value.errors] == ["the file is larger than the 10 byte upload limit"]

    rows = "".join(f"A{i},model\n" for i in range(4))
    with pytest.raises(AssetImportError) as caught:
        read_upload(f"name,kind\n{rows}".encode(), "long.csv", max_rows=3)
    assert [str(e) for e in caught.value.errors] == ["more than 3 asset rows: split the file"]


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read() -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(201):
            member.write(b"<" * 2**20)
    before = state()

    assert rejected(buffer.getvalue(), "bomb.xlsx") == ["the workbook unpacks to more than 200 MB"]
    assert len(buffer.getvalue()) < 2**20
    assert state() == before


def test_values_without_a_header_and_gaps_keep_the_row_numbers_people_see(people: dict[str, Any]) -> None:
    data = xlsx_bytes(
        [
            ["name", "kind", None, "owner"],
            ["A", "model", None, ""],
            [None],
            [None],
            ["B", "model", "stray", ""],
        ]
    )

    assert rejected(data, "gaps.xlsx", people["amira"]) == [
        "row 5, column 3: a value in a column without a header"
    ]


def test_csv_row_numbers_count_records_not_lines(people: dict[str, Any]) -> None:
    data = csv_bytes([["name", "kind", "description"], ["A", "model", "two\nlines"], ["B", "robot", ""]])

    assert rejected(data, "multi.csv", people["amira"])[0].startswith("row 3, column kind: 'robot'")


# --- export and the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_inventory_then_export_gives_identical_rows(
    people: dict[str, Any], file_format: str
) -> None:
    load_demo_assets()
    wiki = Asset.objects.get(name="Patient portal")
    services.update_asset(None, wiki, description="=SUM(A1)\nsecond line; with | separators", supplier="R\\D")
    first = export_rows(people["amira"], file_format)
    assert first[0] == list(COLUMNS)
    assert len(first) == Asset.objects.count() + 1
    data = export_assets(people["amira"], Asset.objects.order_by("name"), file_format)

    SoftwareComponent.objects.all().delete()
    Asset.objects.all().delete()
    result = import_assets(people["amira"], data, f"export.{file_format}")

    assert (result.created, result.updated, result.unchanged) == (len(first) - 1, 0, 0)
    assert export_rows(people["amira"], file_format) == first


def test_the_csv_export_defuses_formulas_and_the_xlsx_export_is_styled(people: dict[str, Any]) -> None:
    services.create_asset(None, name="=cmd|'/c calc'!A1", kind="information", description="@SUM(1)")

    text = export_assets(people["amira"], Asset.objects.all(), "csv").decode("utf-8")
    assert text.startswith("\ufeffname,kind,")
    assert "\r\n'=cmd|'/c calc'!A1,information,'@SUM(1),,internal," in text

    workbook = load_workbook(io.BytesIO(export_assets(people["amira"], Asset.objects.all(), "xlsx")))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Assets"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet["A2"].value == "=cmd|'/c calc'!A1"
    assert sheet["A2"].data_type == "s"
    assert sheet.column_dimensions["A"].width == len("=cmd|'/c calc'!A1") + 2
    assert sheet.column_dimensions["W"].width == len("software_components") + 2


def test_write_csv_writes_every_column_in_order() -> None:
    text = write_csv([dict.fromkeys(COLUMNS, "") | {"name": "A", "kind": "model"}]).decode("utf-8-sig")
    assert text.splitlines() == [",".join(COLUMNS), "A,model" + "," * (len(COLUMNS) - 2)]
