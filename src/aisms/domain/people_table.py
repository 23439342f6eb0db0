"""The people register and training completions as CSV tables: an HR system's export of people and a
learning management system's (LMS) export of completions, parsed into records with every error named by
row and column.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2. Roles in a cell
are separated by ';'. Dates are YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from aisms.domain.table_errors import RowError

PEOPLE_COLUMNS: tuple[str, ...] = (
    "employee_id",
    "name",
    "email",
    "department",
    "manager_id",
    "roles",
    "start_date",
    "active",
)
PEOPLE_REQUIRED: tuple[str, ...] = ("employee_id", "name")
COMPLETION_COLUMNS: tuple[str, ...] = ("employee_id", "module", "completed_on", "score", "evidence")
COMPLETION_REQUIRED: tuple[str, ...] = ("employee_id", "module", "completed_on")
MAX_LENGTHS = {"employee_id": 50, "name": 200, "email": 254, "department": 100, "evidence": 2000}
TRUE_WORDS = frozenset({"yes", "true", "1", "active"})
FALSE_WORDS = frozenset({"no", "false", "0", "inactive"})
ALIASES = {"manager": "manager_id", "employee": "employee_id", "completed": "completed_on", "role": "roles"}


@dataclass(frozen=True)
class PersonRecord:
    row: int
    employee_id: str
    name: str
    email: str = ""
    department: str = ""
    manager_id: str = ""
    roles: tuple[str, ...] = ()
    start_date: date | None = None
    active: bool = True


@dataclass(frozen=True)
class CompletionRecord:
    row: int
    employee_id: str
    module: str
    completed_on: date
    score: int | None = None
    evidence: str = ""


T = TypeVar("T")


@dataclass(frozen=True)
class Parsed(Generic[T]):
    records: tuple[T, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


class _CellError(ValueError):
    pass


def normalise_column(name: str) -> str:
    column = name.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(column, column)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _CellError(f"{value.strip()!r} is not a date (YYYY-MM-DD)") from None


def parse_active(value: str) -> bool:
    word = value.strip().lower()
    if not word or word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(f"{value.strip()!r} is not yes or no")


def parse_score(value: str) -> int | None:
    text = value.strip().rstrip("%")
    if not text:
        return None
    try:
        score = round(float(text))
    except ValueError:
        raise _CellError(f"{value.strip()!r} is not a number from 0 to 100") from None
    if not 0 <= score <= 100:
        raise _CellError(f"{value.strip()!r} is not a number from 0 to 100")
    return score


def parse_roles(value: str) -> tuple[str, ...]:
    roles: list[str] = []
    for part in value.split(";"):
        name = part.strip()
        if name and name not in roles:
            roles.append(name)
    return tuple(roles)


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[RowError]]:
    """The header (normalised) and the non-empty rows of a ',' or ';' separated CSV text."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows or not any(c.strip() for c in rows[0]):
        return [], [], [RowError(0, "", "the file is empty: row 1 must hold the column names")]
    header = [normalise_column(c) for c in rows[0]]
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        out.append(
            (number, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name})
        )
    return header, out, []


def _check_header(header: Sequence[str], known: Sequence[str], required: Sequence[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for column in header:
        if not column:
            continue
        if column not in known:
            errors.append(RowError(1, column, f"unknown column; use: {', '.join(known)}"))
        elif column in seen:
            errors.append(RowError(1, column, "the column appears twice"))
        seen.add(column)
    errors.extend(RowError(1, c, "required column is missing") for c in required if c not in seen)
    return errors


def _text(cells: dict[str, str], column: str) -> str:
    value = cells.get(column, "").strip()
    limit = MAX_LENGTHS.get(column)
    if limit is not None and len(value) > limit:
        raise _CellError(f"longer than {limit} characters ({len(value)})")
    return value


def parse_people(text: str) -> Parsed[PersonRecord]:
    """People rows from an HR export; every error with its row and column. An employee id appears once."""
    header, rows, errors = read_rows(text)
    if errors:
        return Parsed((), tuple(errors))
    errors = _check_header(header, PEOPLE_COLUMNS, PEOPLE_REQUIRED)
    if errors:
        return Parsed((), tuple(errors))
    records: list[PersonRecord] = []
    first_row: dict[str, int] = {}
    for number, cells in rows:
        values: dict[str, object] = {}
        row_errors = []
        for column in PEOPLE_COLUMNS:
            try:
                if column == "start_date":
                    raw = cells.get(column, "").strip()
                    values[column] = parse_date(raw) if raw else None
                elif column == "active":
                    values[column] = parse_active(cells.get(column, ""))
                elif column == "roles":
                    values[column] = parse_roles(cells.get(column, ""))
                else:
                    values[column] = _text(cells, column)
            except _CellError as exc:
                row_errors.append(RowError(number, column, str(exc)))
        for column in PEOPLE_REQUIRED:
            if column in values and not values[column]:
                row_errors.append(RowError(number, column, "required"))
        email = values.get("email")
        if isinstance(email, str) and email and ("@" not in email or " " in email):
            row_errors.append(RowError(number, "email", f"{email!r} is not an e-mail address"))
        employee_id = values.get("employee_id")
        if isinstance(employee_id, str) and employee_id:
            if employee_id in first_row:
                row_errors.append(
                    RowError(
                        number, "employee_id", f"{employee_id!r} is already on row {first_row[employee_id]}"
                    )
                )
            else:
                first_row[employee_id] = number
            if values.get("manager_id") == employee_id:
                row_errors.append(RowError(number, "manager_id", "a person cannot be their own manager"))
        if row_errors:
            errors.extend(row_errors)
            continue
        records.append(PersonRecord(row=number, **values))  # type: ignore[arg-type]
    return Parsed(tuple(records), tuple(sorted(errors)))


def parse_completions(text: str) -> Parsed[CompletionRecord]:
    """Completion rows from an LMS export; every error with its row and column."""
    header, rows, errors = read_rows(text)
    if errors:
        return Parsed((), tuple(errors))
    errors = _check_header(header, COMPLETION_COLUMNS, COMPLETION_REQUIRED)
    if errors:
        return Parsed((), tuple(errors))
    records: list[CompletionRecord] = []
    for number, cells in rows:
        row_errors = []
        completed: date | None = None
        score: int | None = None
        employee_id = module = evidence = ""
        try:
            employee_id = _text(cells, "employee_id")
            if not employee_id:
                row_errors.append(RowError(number, "employee_id", "required"))
        except _CellError as exc:
            row_errors.append(RowError(number, "employee_id", str(exc)))
        module = cells.get("module", "").strip()
        if not module:
            row_errors.append(RowError(number, "module", "required"))
        raw = cells.get("completed_on", "").strip()
        if not raw:
            row_errors.append(RowError(number, "completed_on", "required"))
        else:
            try:
                completed = parse_date(raw)
            except _CellError as exc:
                row_errors.append(RowError(number, "completed_on", str(exc)))
        try:
            score = parse_score(cells.get("score", ""))
        except _CellError as exc:
            row_errors.append(RowError(number, "score", str(exc)))
        try:
            evidence = _text(cells, "evidence")
        except _CellError as exc:
            row_errors.append(RowError(number, "evidence", str(exc)))
        if row_errors or completed is None:
            errors.extend(row_errors)
            continue
        records.append(CompletionRecord(number, employee_id, module, completed, score, evidence))
    return Parsed(tuple(records), tuple(sorted(errors)))


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark); raises ValueError naming the problem otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start})") from None
