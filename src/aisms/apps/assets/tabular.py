"""The inventory as CSV and XLSX files: read uploads into rows, write exports, and the import service,
which is all or nothing: one bad cell and nothing changes, and every problem is named by row and column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets import selectors
from aisms.apps.assets.models import Asset, SoftwareComponent
from aisms.apps.assets.services import EDITABLE, may_edit, replace_dependencies, save_asset
from aisms.domain.access import Action
from aisms.domain.asset_table import (
    COLUMNS,
    AssetRecord,
    Component,
    ParsedRow,
    guard_formula,
    normalise_column,
    normalise_text,
    parse_names,
    parse_rows,
    records_to_rows,
    unguard_formula,
)
from aisms.domain.assets import AssetKind, CiaValue, Classification, find_cycles
from aisms.domain.table_errors import RowError

MAX_IMPORT_ROWS = 5000
MAX_XLSX_UNPACKED_BYTES = 200 * 2**20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
MAX_COLUMN_WIDTH = 60


class AssetImportError(Exception):
    """Nothing was changed; errors says why, by row and column."""

    def __init__(self, filename: str, errors: Sequence[RowError]) -> None:
        self.filename = filename
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:10])
        more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
        super().__init__(f"{filename}: nothing was changed. {shown}{more}")


def _reject(filename: str, message: str) -> NoReturn:
    raise AssetImportError(filename, [RowError(0, "", message)])


# --- reading uploads -----------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_upload(
    data: bytes, filename: str, *, max_bytes: int | None = None, max_rows: int = MAX_IMPORT_ROWS
) -> Table:
    """Rows of a CSV (UTF-8, ',' or ';') or XLSX (first sheet) file; AssetImportError for a bad file."""
    limit = settings.AISMS_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        _reject(filename, f"the file is larger than the {limit} byte upload limit")
    if not data.strip():
        _reject(filename, "the file is empty")
    if data.startswith(XLSX_MAGIC):
        return _table(_xlsx_records(data, filename), filename, max_rows)
    if data.startswith(OLE_MAGIC) or filename.lower().endswith((".xls", ".ods", ".numbers")):
        _reject(filename, "only CSV and XLSX files can be imported: save it as .xlsx or as 'CSV UTF-8'")
    return _table(_csv_records(data, filename), filename, max_rows)


def _csv_records(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _reject(filename, f"not UTF-8 text (byte {exc.start}): save it as 'CSV UTF-8'")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [unguard_formula(cell) for cell in cells]
    except csv.Error as exc:
        _reject(filename, f"row {number + 1}: not valid CSV ({exc})")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    unreadable = (zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, OSError, IndexError)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except unreadable:
        _reject(filename, "not a readable XLSX workbook")
    if unpacked > MAX_XLSX_UNPACKED_BYTES:  # a zip bomb, or far more than an inventory needs
        _reject(filename, f"the workbook unpacks to more than {MAX_XLSX_UNPACKED_BYTES // 2**20} MB")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable:
        _reject(filename, "not a readable XLSX workbook")
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    except unreadable:
        _reject(filename, "not a readable XLSX workbook")
    finally:
        workbook.close()


def _table(records: Iterable[tuple[int, list[str]]], filename: str, max_rows: int) -> Table:
    iterator = iter(records)
    first = next(iterator, None)
    if first is None or not any(c.strip() for c in first[1]):
        _reject(filename, "row 1 must hold the column names, e.g. name, kind, owner")
    header = [c.strip() for c in first[1]]
    while header and not header[-1]:
        header.pop()
    table = Table(header=header)
    for number, cells in iterator:
        if not any(c.strip() for c in cells):
            continue
        if number - 1 > max_rows:
            _reject(filename, f"more than {max_rows} asset rows: split the file")
        for index, cell in enumerate(cells):
            if cell.strip() and (index >= len(header) or not header[index]):
                table.errors.append(RowError(number, str(index + 1), "a value in a column without a header"))
        row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
        table.rows.append(row)
        table.row_numbers.append(number)
    return table


# --- writing exports -----------------------------------------------------------------------------------


def write_csv(rows: Sequence[dict[str, str]]) -> bytes:
    """UTF-8 with a byte order mark (so spreadsheets read the accents), ',' separated, formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([guard_formula(row[c]) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Sequence[dict[str, str]]) -> bytes:
    """One sheet: a bold, frozen header row with a filter, sized columns, every cell as text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = "Assets"
    sheet.append(list(COLUMNS))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = {c: len(c) for c in COLUMNS}
    for row_index, row in enumerate(rows, start=2):
        for col_index, column in enumerate(COLUMNS, start=1):
            text = ILLEGAL_CHARACTERS_RE.sub("", row[column])
            cell = sheet.cell(row=row_index, column=col_index)
            cell.value = text
            cell.data_type = "s"  # text, never a formula
            longest_line = max((len(line) for line in text.split("\n")), default=0)
            widths[column] = max(widths[column], longest_line)
    for col_index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col_index)].width = (
            min(widths[column], MAX_COLUMN_WIDTH) + 2
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(rows) + 1, 2)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_response(content: bytes, file_format: str) -> HttpResponse:
    """An export as a download named after today's date, e.g. assets-2025-03-01.xlsx."""
    response = HttpResponse(content, content_type=FORMATS[file_format])
    filename = f"assets-{timezone.localdate().isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def asset_records(rows: QuerySet[Asset]) -> list[AssetRecord]:
    """Stored assets as table records (three queries whatever the number of assets)."""
    rows = rows.select_related("owner").prefetch_related("components", "depends_on")
    records = []
    for asset in rows:
        components = sorted(
            (Component(c.vendor, c.product, c.version, c.cpe) for c in asset.components.all()),
            key=lambda c: (c.vendor, c.product, c.version, c.cpe),
        )
        records.append(
            AssetRecord(
                name=asset.name,
                kind=AssetKind(asset.kind),
                description=asset.description,
                owner=asset.owner.username if asset.owner else "",
                classification=Classification(asset.classification),
                confidentiality=CiaValue(asset.confidentiality),
                integrity=CiaValue(asset.integrity),
                availability=CiaValue(asset.availability),
                hosting=asset.hosting,
                supplier=asset.supplier,
                in_scope=asset.in_scope,
                ai_purpose=asset.ai_purpose,
                model_type=asset.model_type,
                data_sources=asset.data_sources,
                deployment=asset.deployment,
                learns_from_user_data=asset.learns_from_user_data,
                processes_personal_data=asset.processes_personal_data,
                reads_untrusted_content=asset.reads_untrusted_content,
                can_act=asset.can_act,
                publicly_exposed=asset.publicly_exposed,
                eu_ai_act_tier=asset.eu_ai_act_tier,
                depends_on=tuple(sorted(d.name for d in asset.depends_on.all())),
                software_components=tuple(components),
            )
        )
    return records


def export_assets(actor: User, rows: QuerySet[Asset], file_format: str) -> bytes:
    """The rows as a CSV or XLSX file that import_assets reads back unchanged."""
    require(actor, Action.VIEW)
    table = records_to_rows(asset_records(rows))
    if file_format == "xlsx":
        return write_xlsx(table)
    if file_format == "csv":
        return write_csv(table)
    raise ValueError(f"unknown export format {file_format!r}; use csv or xlsx")


# --- the import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int
    unchanged: int


@dataclass
class _Plan:
    """The checked rows, with the people and tiers they name resolved."""

    columns: frozenset[str]
    rows: list[ParsedRow]
    owners: dict[int, User | None] = field(default_factory=dict)  # row -> owner
    tiers: dict[int, str] = field(default_factory=dict)  # row -> catalogue uid
    errors: list[RowError] = field(default_factory=list)


def import_assets(actor: User | None, data: bytes, filename: str) -> ImportResult:
    """Create or update assets by name from a CSV or XLSX file, in one transaction.

    Owners are user names; depends_on names assets in the file or already stored; software_components
    replace those of each imported asset. Any error raises AssetImportError and changes nothing.
    """
    if actor is not None:
        require(actor, Action.CREATE)
    table = read_upload(data, filename)
    parsed = parse_rows(table.rows, header=table.header, row_numbers=table.row_numbers)
    plan = _Plan(columns=parsed.columns, rows=list(parsed.rows), errors=[*table.errors, *parsed.errors])
    with transaction.atomic():
        stored = Asset.objects.select_related("owner").prefetch_related("depends_on", "components")
        existing = {a.name: a for a in stored}
        _check_rows(actor, plan, table, existing)
        if plan.errors:
            raise AssetImportError(filename, sorted(set(plan.errors), key=_error_order))
        return _apply(actor, plan, existing, filename)


def _error_order(error: RowError) -> tuple[int, int, str]:
    position = COLUMNS.index(error.column) if error.column in COLUMNS else len(COLUMNS)
    return error.row, position, error.message


def _check_rows(actor: User | None, plan: _Plan, table: Table, existing: dict[str, Asset]) -> None:
    """What only the database can tell: owners, tiers, permissions and dependencies, for every row
    (rows with bad cells included, so that one upload reports every problem)."""
    users = {u.username: u for u in User.objects.all()}
    users_folded = {name.lower(): user for name, user in users.items()}
    tiers = selectors.eu_ai_act_tier_lookup()
    tier_choices = ", ".join(sorted({uid.rsplit(":", 1)[-1] for uid in tiers.values()}))
    raw_rows = [
        (number, {normalise_column(k): normalise_text(v or "") for k, v in cells.items()})
        for number, cells in zip(table.row_numbers, table.rows, strict=True)
    ]
    names_in_file = {cells.get("name", "") for _, cells in raw_rows} - {""}
    for row, cells in raw_rows:
        owner_name = cells.get("owner", "")
        if "owner" in plan.columns:
            owner = users.get(owner_name) or users_folded.get(owner_name.lower())
            if owner_name and owner is None:
                plan.errors.append(RowError(row, "owner", f"no user named {owner_name!r}"))
            plan.owners[row] = owner
        tier = cells.get("eu_ai_act_tier", "")
        if "eu_ai_act_tier" in plan.columns and tier:
            uid = tiers.get(tier.lower())
            if uid is None:
                plan.errors.append(
                    RowError(
                        row,
                        "eu_ai_act_tier",
                        f"{tier!r} is not an EU AI Act risk tier; use one of: {tier_choices}",
                    )
                )
            else:
                plan.tiers[row] = uid
        if "depends_on" in plan.columns:
            plan.errors.extend(
                RowError(row, "depends_on", f"no asset named {name!r} in the file or the inventory")
                for name in parse_names(cells.get("depends_on", ""))
                if name not in names_in_file and name not in existing
            )
    _check_permissions(actor, plan, existing)
    _check_cycles(plan, existing)


def _components_key(components: Iterable[Any]) -> list[tuple[str, str, str, str]]:
    return sorted((c.vendor, c.product, c.version, c.cpe) for c in components)


def _would_change(plan: _Plan, parsed: ParsedRow, stored: Asset) -> bool:
    if any(getattr(stored, k) != v for k, v in _values(plan, parsed).items()):
        return True
    record = parsed.record
    if "depends_on" in plan.columns and {d.name for d in stored.depends_on.all()} != set(record.depends_on):
        return True
    return "software_components" in plan.columns and _components_key(
        stored.components.all()
    ) != _components_key(record.software_components)


def _check_permissions(actor: User | None, plan: _Plan, existing: dict[str, Asset]) -> None:
    """Rows that would change an asset the actor may not edit (unchanged rows are fine)."""
    if actor is None:
        return
    for parsed in plan.rows:
        stored = existing.get(parsed.record.name)
        if stored is None or may_edit(actor, stored) or not _would_change(plan, parsed, stored):
            continue
        owner_of = stored.owner.username if stored.owner else "nobody"
        plan.errors.append(
            RowError(
                parsed.row, "name", f"your role may not change {stored.name!r}: it is owned by {owner_of}"
            )
        )


def _check_cycles(plan: _Plan, existing: dict[str, Asset]) -> None:
    if "depends_on" not in plan.columns:
        return
    by_id = {a.pk: name for name, a in existing.items()}
    graph: dict[str, list[str]] = {name: [] for name in existing}
    for source, targets in selectors.dependency_edges().items():
        graph[by_id[source]] = [by_id[t] for t in targets]
    row_of = {p.record.name: p.row for p in plan.rows}
    for parsed in plan.rows:
        graph[parsed.record.name] = list(parsed.record.depends_on)
    for cycle in find_cycles(graph):
        in_file = [name for name in cycle[:-1] if name in row_of]
        if not in_file:
            continue
        first = min(in_file, key=lambda name: row_of[name])
        start = cycle.index(first)
        rotated = [*cycle[start:-1], *cycle[:start], first]
        plan.errors.append(RowError(row_of[first], "depends_on", f"dependency cycle: {' → '.join(rotated)}"))


def _values(plan: _Plan, parsed: ParsedRow) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in EDITABLE:
        if column not in plan.columns and column not in ("name", "kind"):
            continue
        if column == "owner":
            values[column] = plan.owners.get(parsed.row)
        elif column == "eu_ai_act_tier":
            values[column] = plan.tiers.get(parsed.row, "")
        else:
            value = getattr(parsed.record, column)
            values[column] = (
                value.value if isinstance(value, AssetKind | Classification | CiaValue) else value
            )
    return values


def _apply(actor: User | None, plan: _Plan, existing: dict[str, Asset], filename: str) -> ImportResult:
    created: set[str] = set()
    changed: set[str] = set()
    assets = dict(existing)
    for parsed in plan.rows:
        values = _values(plan, parsed)
        asset = assets.get(parsed.record.name)
        is_new = asset is None
        if asset is None:
            asset = Asset()
        elif all(getattr(asset, k) == v for k, v in values.items()):
            continue
        for name, value in values.items():
            setattr(asset, name, value)
        _save_row(asset, actor, parsed.row, filename)
        assets[asset.name] = asset
        (created if is_new else changed).add(asset.name)
    for parsed in plan.rows:
        asset = assets[parsed.record.name]
        touched = False
        if "depends_on" in plan.columns:
            touched = replace_dependencies(asset, [assets[n] for n in parsed.record.depends_on])
        if "software_components" in plan.columns:
            touched = _replace_components(actor, asset, parsed.record.software_components) or touched
        if touched:
            _save_row(asset, actor, parsed.row, filename)
            if asset.name not in created:
                changed.add(asset.name)
    return ImportResult(
        filename=filename,
        created=len(created),
        updated=len(changed),
        unchanged=len(plan.rows) - len(created) - len(changed),
    )


def _save_row(asset: Asset, actor: User | None, row: int, filename: str) -> None:
    try:
        save_asset(asset, actor)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise AssetImportError(
            filename,
            [
                RowError(row, column if column != "__all__" else "", m)
                for column, ms in errors.items()
                for m in ms
            ],
        ) from exc


def _replace_components(actor: User | None, asset: Asset, components: Sequence[Component]) -> bool:
    current = list(SoftwareComponent.objects.filter(asset=asset))
    if _components_key(current) == _components_key(components):
        return False
    for old in current:
        if actor is not None:
            old._history_user = actor  # type: ignore[attr-defined]
        old.delete()
    for component in components:
        new = SoftwareComponent(
            asset=asset,
            vendor=component.vendor,
            product=component.product,
            version=component.version,
            cpe=component.cpe,
        )
        if actor is not None:
            new._history_user = actor  # type: ignore[attr-defined]
        new.save()
    return True
