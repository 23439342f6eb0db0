"""The asset inventory as a table: the columns of the CSV/XLSX import and export, parsing rows into
records (collecting every error with its row and column) and writing records back as rows.

Row numbers are those a person sees in a spreadsheet: the header is row 1, the first asset row 2.
Lists inside a cell are separated by ';' (depends_on, software_components); a software component is
'vendor|product|version|cpe'. A backslash escapes a separator ('\\;', '\\|') and itself ('\\\\').
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from aisms.domain.assets import KIND_LABELS, AssetKind, CiaValue, Classification, is_cpe23
from aisms.domain.table_errors import RowError

# The asset's own fields, in the order the table and the forms show them; the AI ones are a group.
AI_FIELDS: tuple[str, ...] = (
    "ai_purpose",
    "model_type",
    "data_sources",
    "deployment",
    "learns_from_user_data",
    "processes_personal_data",
    "reads_untrusted_content",
    "can_act",
    "publicly_exposed",
    "eu_ai_act_tier",
)
ASSET_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "description",
    "owner",
    "classification",
    "confidentiality",
    "integrity",
    "availability",
    "hosting",
    "supplier",
    "in_scope",
    *AI_FIELDS,
)
COLUMNS: tuple[str, ...] = (*ASSET_FIELDS, "depends_on", "software_components")
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "kind")
LIST_SEPARATOR = ";"
PART_SEPARATOR = "|"
ESCAPE = "\\"
TEXT_COLUMNS = ("description", "ai_purpose", "data_sources")
LINE_COLUMNS = ("owner", "hosting", "supplier", "model_type", "deployment", "eu_ai_act_tier")
TRI_STATE_COLUMNS = (
    "learns_from_user_data",
    "processes_personal_data",
    "reads_untrusted_content",
    "can_act",
    "publicly_exposed",
)
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "owner": 150,
    "hosting": 200,
    "supplier": 200,
    "model_type": 200,
    "deployment": 200,
    "eu_ai_act_tier": 40,
    "description": 20_000,
    "ai_purpose": 20_000,
    "data_sources": 20_000,
}
COMPONENT_MAX_LENGTHS: dict[str, int] = {"vendor": 200, "product": 200, "version": 100, "cpe": 500}
TRUE_WORDS = frozenset({"yes", "true"})
FALSE_WORDS = frozenset({"no", "false"})
# A cell starting with one of these is a formula to a spreadsheet; CSV exports prefix it with "'".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Component:
    vendor: str
    product: str
    version: str = ""
    cpe: str = ""


@dataclass(frozen=True)
class AssetRecord:
    """One asset as the table holds it: people by user name, other assets by name."""

    name: str
    kind: AssetKind
    description: str = ""
    owner: str = ""
    classification: Classification = Classification.INTERNAL
    confidentiality: CiaValue = CiaValue.MEDIUM
    integrity: CiaValue = CiaValue.MEDIUM
    availability: CiaValue = CiaValue.MEDIUM
    hosting: str = ""
    supplier: str = ""
    in_scope: bool = True
    ai_purpose: str = ""
    model_type: str = ""
    data_sources: str = ""
    deployment: str = ""
    learns_from_user_data: bool | None = None
    processes_personal_data: bool | None = None
    reads_untrusted_content: bool | None = None
    can_act: bool | None = None
    publicly_exposed: bool | None = None
    eu_ai_act_tier: str = ""
    depends_on: tuple[str, ...] = ()
    software_components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class ParsedRow:
    row: int
    record: AssetRecord


@dataclass(frozen=True)
class ParsedTable:
    columns: frozenset[str]  # the known columns the header has; absent ones leave stored values alone
    rows: tuple[ParsedRow, ...] = ()
    errors: tuple[RowError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors


class _CellError(ValueError):
    """A cell's value is not valid; the message says why."""


# --- cells ---------------------------------------------------------------------------------------------


def normalise_column(name: str) -> str:
    """A header cell as a column name: 'In scope' -> 'in_scope'."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def normalise_text(value: str) -> str:
    """Strip surrounding white space and use '\\n' line ends (spreadsheets and forms differ)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_bool(value: str) -> bool | None:
    """yes/true -> True, no/false -> False, empty -> None (any letter case)."""
    word = value.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(f"{value.strip()!r} is not yes, no, true, false or empty")


def format_bool(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def parse_choice(enum: type[E], labels: Mapping[E, str], value: str, what: str) -> E:
    """An enum member from its value or its label, in any letter case."""
    wanted = value.strip().lower()
    for member in enum:
        if wanted in (member.value.lower(), labels[member].lower()):
            return member
    raise _CellError(f"{value.strip()!r} is not {what}; use one of: {', '.join(m.value for m in enum)}")


def split_list(value: str, separator: str) -> list[str]:
    """Split on separators not escaped by a backslash; escapes are kept for the caller to undo."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == ESCAPE:
            current.append(char)
            current.append(next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    """Undo the backslash escapes of split_list: '\\;' -> ';', '\\|' -> '|', '\\\\' -> '\\'."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        out.append(next(chars, "") if char == ESCAPE else char)
    return "".join(out)


def escape(value: str) -> str:
    """Escape the backslash and both separators so that a value survives split_list and unescape."""
    return (
        value.replace(ESCAPE, ESCAPE * 2)
        .replace(LIST_SEPARATOR, ESCAPE + LIST_SEPARATOR)
        .replace(PART_SEPARATOR, ESCAPE + PART_SEPARATOR)
    )


def guard_formula(value: str) -> str:
    """Prefix a value a spreadsheet would run as a formula with "'" (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def unguard_formula(value: str) -> str:
    """Undo guard_formula."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS) else value


def _check_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise _CellError(f"longer than {limit} characters ({len(value)})")
    return value


def parse_components(value: str) -> tuple[Component, ...]:
    """'vendor|product|version|cpe' entries separated by ';' (version and cpe may be left out)."""
    components = []
    problems = []
    for index, entry in enumerate(split_list(value, LIST_SEPARATOR), start=1):
        if not entry.strip():
            continue
        raw_parts = split_list(entry, PART_SEPARATOR)
        shown = entry.strip()
        if len(raw_parts) > 4:
            problems.append(
                f"entry {index} ({shown!r}) has {len(raw_parts)} parts; write vendor|product|version|cpe"
            )
            continue
        # A CPE name keeps its own backslash escapes; the other parts are unescaped.
        vendor, product, version = (unescape(p).strip() for p in (*raw_parts[:3], "", "")[:3])
        cpe = raw_parts[3].strip() if len(raw_parts) == 4 else ""
        if not vendor or not product:
            problems.append(
                f"entry {index} ({shown!r}) needs a vendor and a product: vendor|product|version|cpe"
            )
            continue
        if cpe and not is_cpe23(cpe):
            problems.append(
                f"entry {index}: {cpe!r} is not a CPE 2.3 name "
                "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other)"
            )
            continue
        too_long = [
            f"{name} is longer than {limit} characters"
            for name, text, limit in zip(
                ("vendor", "product", "version", "cpe"),
                (vendor, product, version, cpe),
                COMPONENT_MAX_LENGTHS.values(),
                strict=True,
            )
            if len(text) > limit
        ]
        if too_long:
            problems.append(f"entry {index}: {', '.join(too_long)}")
            continue
        components.append(Component(vendor, product, version, cpe))
    if problems:
        raise _CellError("; ".join(problems))
    return tuple(components)


def format_components(components: Iterable[Component]) -> str:
    entries = []
    for c in components:
        # A valid CPE 2.3 name already escapes ';', '|' and '\\' itself.
        parts = [escape(c.vendor), escape(c.product), escape(c.version), c.cpe]
        while len(parts) > 2 and not parts[-1]:
            parts.pop()
        entries.append(PART_SEPARATOR.join(parts))
    return f"{LIST_SEPARATOR} ".join(entries)


def parse_names(value: str) -> tuple[str, ...]:
    """Asset names separated by ';', each once, in the order given."""
    names: list[str] = []
    for part in split_list(value, LIST_SEPARATOR):
        name = unescape(part).strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def format_names(names: Iterable[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(escape(n) for n in names)


# --- header and rows -----------------------------------------------------------------------------------


def check_header(header: Sequence[str]) -> list[RowError]:
    """Unknown, repeated and missing columns, as errors on row 1."""
    errors = []
    seen: set[str] = set()
    for cell in header:
        column = normalise_column(cell)
        if not column:
            continue
        if column not in COLUMNS:
            close = difflib.get_close_matches(column, COLUMNS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the columns are: {', '.join(COLUMNS)}"
            errors.append(RowError(1, cell.strip(), f"unknown column{hint}"))
        elif column in seen:
            errors.append(RowError(1, column, "the column appears more than once"))
        seen.add(column)
    errors.extend(RowError(1, c, "required column is missing") for c in REQUIRED_COLUMNS if c not in seen)
    return errors


_CIA = {c: c.label for c in CiaValue}
_CLASSIFICATIONS = {c: c.label for c in Classification}


def _parse_cell(column: str, raw: str) -> object:
    value = normalise_text(raw)
    if column == "name":
        if not value:
            raise _CellError("an asset needs a name")
        return _check_length(value, MAX_LENGTHS["name"])
    if column == "kind":
        if not value:
            raise _CellError("an asset needs a kind")
        return parse_choice(AssetKind, KIND_LABELS, value, "a kind of asset")
    if column == "classification":
        return parse_choice(Classification, _CLASSIFICATIONS, value, "a classification") if value else None
    if column in ("confidentiality", "integrity", "availability"):
        return parse_choice(CiaValue, _CIA, value, f"a {column} value") if value else None
    if column == "in_scope" or column in TRI_STATE_COLUMNS:
        return parse_bool(value)
    if column == "depends_on":
        return parse_names(value)
    if column == "software_components":
        return parse_components(value)
    if column in MAX_LENGTHS:
        _check_length(value, MAX_LENGTHS[column])
    if column in LINE_COLUMNS and "\n" in value:
        raise _CellError("must be a single line")
    return value


def _error_order(error: RowError) -> tuple[int, int, str]:
    """Errors by row, then in column order."""
    position = COLUMNS.index(error.column) if error.column in COLUMNS else len(COLUMNS)
    return error.row, position, error.message


def parse_rows(
    rows: Sequence[Mapping[str, str | None]],
    *,
    header: Sequence[str] | None = None,
    row_numbers: Sequence[int] | None = None,
) -> ParsedTable:
    """Parse data rows (column -> cell text) into records, collecting every error.

    header defaults to the keys of the first row; row_numbers to 2, 3, ... (after the header row).
    Rows whose cells are all empty are skipped. A name may appear on one row only.
    """
    if header is None:
        header = list(rows[0]) if rows else list(REQUIRED_COLUMNS)
    errors = check_header(header)
    columns = frozenset(normalise_column(c) for c in header) & frozenset(COLUMNS)
    if any(e.message == "required column is missing" for e in errors):
        return ParsedTable(columns=columns, errors=tuple(errors))
    numbers = list(row_numbers) if row_numbers is not None else list(range(2, len(rows) + 2))
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}
    for number, raw_row in zip(numbers, rows, strict=True):
        cells = {normalise_column(k): (v or "") for k, v in raw_row.items() if k is not None}
        if not any(v.strip() for v in cells.values()):
            continue
        values: dict[str, object] = {}
        row_errors = []
        for column in COLUMNS:
            if column not in columns:
                continue
            try:
                values[column] = _parse_cell(column, cells.get(column, ""))
            except _CellError as exc:
                row_errors.append(RowError(number, column, str(exc)))
        name = values.get("name")
        if isinstance(name, str):
            if name in first_row_of:
                row_errors.append(
                    RowError(
                        number, "name", f"{name!r} is also on row {first_row_of[name]}; list each asset once"
                    )
                )
            else:
                first_row_of[name] = number
            depends_on = values.get("depends_on", ())
            if isinstance(depends_on, tuple) and name in depends_on:
                row_errors.append(RowError(number, "depends_on", "an asset cannot depend on itself"))
        if row_errors:
            errors.extend(row_errors)
            continue
        record = AssetRecord(**{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]
        parsed.append(ParsedRow(number, record))
    if not parsed and not errors:
        errors.append(RowError(2, "", "the file has a header but no asset rows"))
    return ParsedTable(columns=columns, rows=tuple(parsed), errors=tuple(sorted(errors, key=_error_order)))


def record_to_row(record: AssetRecord) -> dict[str, str]:
    """One record as cell texts, in column order."""
    row: dict[str, str] = {}
    for column in COLUMNS:
        value = getattr(record, column)
        if column == "depends_on":
            row[column] = format_names(value)
        elif column == "software_components":
            row[column] = format_components(value)
        elif isinstance(value, bool) or value is None:
            row[column] = format_bool(value)
        else:
            row[column] = str(value.value if isinstance(value, StrEnum) else value)
    return row


def records_to_rows(records: Iterable[AssetRecord]) -> list[dict[str, str]]:
    return [record_to_row(r) for r in records]
