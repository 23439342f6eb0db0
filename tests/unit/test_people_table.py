"""HR and LMS CSV parsing: records from good rows, every error named by row and column."""

from __future__ import annotations

from datetime import date

from aisms.domain.people_table import PersonRecord, decode, parse_completions, parse_people
from aisms.domain.table_errors import RowError

HEADER = "employee_id,name,email,department,manager_id,roles,start_date,active\n"


def test_people_rows_become_records() -> None:
    parsed = parse_people(
        HEADER + "E1,Ana Silva,ana@x.example,Engineering,,Software engineer; ML engineer,2024-02-01,yes\n"
        "E2,Bo Li,,Claims,E1,Claims analyst,,no\n"
    )
    assert parsed.ok
    assert parsed.records == (
        PersonRecord(
            2,
            "E1",
            "Ana Silva",
            "ana@x.example",
            "Engineering",
            "",
            ("Software engineer", "ML engineer"),
            date(2024, 2, 1),
            True,
        ),
        PersonRecord(3, "E2", "Bo Li", "", "Claims", "E1", ("Claims analyst",), None, False),
    )


def test_people_errors_name_row_and_column() -> None:
    parsed = parse_people(
        HEADER + "E1,Ana,ana-at-x,Eng,,,2024-13-01,maybe\n,Nobody,,,,,,\nE1,Again,,,E1,,,\n"
    )
    assert not parsed.ok
    assert parsed.records == ()
    assert [str(e) for e in parsed.errors] == [
        "row 2, column active: 'maybe' is not yes or no",
        "row 2, column email: 'ana-at-x' is not an e-mail address",
        "row 2, column start_date: '2024-13-01' is not a date (YYYY-MM-DD)",
        "row 3, column employee_id: required",
        "row 4, column employee_id: 'E1' is already on row 2",
        "row 4, column manager_id: a person cannot be their own manager",
    ]


def test_header_problems_are_on_row_1() -> None:
    parsed = parse_people("employee_id,shoe_size\nE1,42\n")
    assert parsed.errors == (
        RowError(1, "shoe_size", parsed.errors[0].message),
        RowError(1, "name", "required column is missing"),
    )
    assert parsed.errors[0].message.startswith("unknown column; use: employee_id, name")


def test_empty_file_and_semicolons_and_bom() -> None:
    assert [str(e) for e in parse_people("").errors] == [
        "the file is empty: row 1 must hold the column names"
    ]
    parsed = parse_people(decode("\ufeffEmployee ID;Name;Manager\nE9;Zoë;\n".encode()))
    assert parsed.ok
    assert (parsed.records[0].employee_id, parsed.records[0].name) == ("E9", "Zoë")


def test_completion_rows_and_errors() -> None:
    good = parse_completions(
        "employee_id,module,completed_on,score,evidence\nE1,secure-ai-coding,2025-01-31,87%,cert-1\n"
    )
    assert good.ok
    assert (good.records[0].completed_on, good.records[0].score, good.records[0].evidence) == (
        date(2025, 1, 31),
        87,
        "cert-1",
    )
    bad = parse_completions("employee_id,module,completed_on,score\nE1,,31/01/2025,120\n,m,2025-01-01,\n")
    assert [str(e) for e in bad.errors] == [
        "row 2, column completed_on: '31/01/2025' is not a date (YYYY-MM-DD)",
        "row 2, column module: required",
        "row 2, column score: '120' is not a number from 0 to 100",
        "row 3, column employee_id: required",
    ]
