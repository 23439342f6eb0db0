"""The SoA as files an auditor opens without aisms: XLSX (Excel, LibreOffice), CSV and PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from aisms.apps.controls.selectors import ExportHeader
from aisms.apps.web.pdf_layout import GROUP_FACE, house_table, pdf_text
from aisms.domain.soa import STATUS_LABELS, THEMES, ImplementationStatus, SoARow, summarise, theme_label

TITLE = "Statement of Applicability"


@dataclass(frozen=True)
class Column:
    name: str
    xlsx_width: float  # characters
    pdf_width: float  # millimetres (landscape A4 leaves 277 mm)


COLUMNS = (
    Column("Control", 9, 13),
    Column("Title", 34, 36),
    Column("Theme", 14, 0),
    Column("Applicability", 13, 19),
    Column("Justification", 60, 60),
    Column("Implementation status", 20, 22),
    Column("Owner", 18, 20),
    Column("Risks", 14, 15),
    Column("Treatment actions", 46, 46),
    Column("Notes", 40, 46),
)


def cells(row: SoARow) -> list[str]:
    """The row as the text of each column."""
    return [
        row.ref,
        row.title,
        theme_label(row.theme),
        row.applicability_label,
        row.justification,
        row.effective_status.label,
        row.owner_name or "",
        ", ".join(row.risk_refs),
        "\n".join(action.label for action in row.actions),
        row.notes,
    ]


def summary_line(rows: Sequence[SoARow]) -> str:
    counts = summarise(rows)
    statuses = ", ".join(
        f"{counts.by_status[status]} {status.label.lower()}"
        for status in ImplementationStatus
        if counts.by_status[status]
    )
    return f"{counts.total} controls: {counts.included} included, {counts.excluded} excluded ({statuses})."


# ------------------------------------------------------------------ CSV

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: keep it text (OWASP CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(rows: Sequence[SoARow], header: ExportHeader) -> bytes:
    """One header line and one line per control, UTF-8 with a byte order mark so Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in COLUMNS])
    for row in rows:
        writer.writerow([_csv_safe(text) for text in cells(row)])
    return out.getvalue().encode("utf-8-sig")


# ------------------------------------------------------------------ XLSX

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DCE3EC")
_THIN = Side(style="thin", color="B8C2CF")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _text_cell(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if value.startswith("="):
        cell.data_type = "s"  # text from people is never a formula


def _title_block(sheet: Worksheet, rows: Sequence[SoARow], header: ExportHeader) -> int:
    sheet["A1"] = f"{TITLE}: {header.organisation}"
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        ("Organisation", header.organisation),
        ("Version", header.version),
        ("Approval", header.approval),
        ("Controls", f"{header.catalogue} (Annex A of ISO/IEC 27001:2022)"),
        ("Summary", summary_line(rows)),
        ("Generated", f"{header.generated_at:%Y-%m-%d %H:%M} UTC by aisms"),
    ]
    for offset, (label, value) in enumerate(facts, start=2):
        sheet.cell(row=offset, column=1, value=label).font = _BOLD
        _text_cell(sheet, offset, 2, value)
    return len(facts) + 3  # the header row, after one blank row


def to_xlsx(rows: Sequence[SoARow], header: ExportHeader) -> bytes:
    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):  # a new workbook always has one
        raise TypeError("openpyxl gave no worksheet")
    sheet.title = "SoA"
    head_row = _title_block(sheet, rows, header)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=head_row, column=index, value=column.name)
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = _WRAP
        cell.border = Border(bottom=_THIN)
        sheet.column_dimensions[get_column_letter(index)].width = column.xlsx_width
    for offset, row in enumerate(rows, start=1):
        for index, text in enumerate(cells(row), start=1):
            _text_cell(sheet, head_row + offset, index, text)
            sheet.cell(row=head_row + offset, column=index).alignment = _WRAP
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = sheet.cell(row=head_row + 1, column=2)  # header row and control column stay
    sheet.auto_filter.ref = f"A{head_row}:{last}{head_row + max(len(rows), 1)}"
    sheet.print_title_rows = f"{head_row}:{head_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _summary_sheet(book, rows)
    book.properties.title = f"{TITLE}, {header.organisation}, {header.version}"
    book.properties.creator = "aisms"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_sheet(book: Workbook, rows: Sequence[SoARow]) -> None:
    counts = summarise(rows)
    sheet = book.create_sheet("Summary")
    statuses = list(ImplementationStatus)
    sheet.append(["Theme", *[STATUS_LABELS[s] for s in statuses], "Total"])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = _WRAP
    for theme, per in counts.by_theme.items():
        sheet.append([theme_label(theme), *[per[s] for s in statuses], sum(per.values())])
    sheet.append(["All controls", *[counts.by_status[s] for s in statuses], counts.total])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    sheet.column_dimensions["A"].width = 26
    for index in range(2, len(statuses) + 3):
        sheet.column_dimensions[get_column_letter(index)].width = 14


# ------------------------------------------------------------------ PDF

_PDF_CELL_LIMIT = 900  # characters: a table row must fit on one page


def _clip(text: str) -> str:
    return (
        text if len(text) <= _PDF_CELL_LIMIT else text[: _PDF_CELL_LIMIT - 40] + " ... (continued in aisms)"
    )


class _SoAPdf(FPDF):
    def __init__(self, header: ExportHeader) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.soa_header = header
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(f"{TITLE}, {header.organisation}, {header.version}")
        self.set_author("aisms")
        self.set_creator("aisms")

    def header(self) -> None:
        head = self.soa_header
        self.set_font("helvetica", "B", 12)
        self.cell(0, 6, pdf_text(f"{TITLE}: {head.organisation}"), new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", "", 8)
        self.cell(
            0,
            4.5,
            pdf_text(f"{head.version}. {head.approval}. Controls: {head.catalogue}."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.set_draw_color(150, 160, 175)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("helvetica", "", 7)
        self.set_text_color(80, 80, 80)
        generated = f"Generated {self.soa_header.generated_at:%Y-%m-%d %H:%M} UTC by aisms"
        self.cell(0, 4, pdf_text(f"{generated}. {self.soa_header.version}."), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


_PDF_COLUMNS = [c for c in COLUMNS if c.pdf_width]
_PDF_INDEXES = [COLUMNS.index(c) for c in _PDF_COLUMNS]


def to_pdf(rows: Sequence[SoARow], header: ExportHeader) -> bytes:
    """Landscape A4: a header on every page, the controls by theme in a table that wraps long text."""
    pdf = _SoAPdf(header)
    pdf.add_page()
    pdf.set_font("helvetica", "", 8.5)
    pdf.multi_cell(0, 4.5, pdf_text(summary_line(rows)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", "", 7.5)
    themes = [t for t in THEMES if any(r.theme == t for r in rows)]
    themes += sorted({r.theme for r in rows} - set(THEMES))
    with house_table(pdf, [c.pdf_width for c in _PDF_COLUMNS]) as table:
        head = table.row()
        for column in _PDF_COLUMNS:
            head.cell(column.name)
        for theme in themes:
            table.row().cell(pdf_text(theme_label(theme)), colspan=len(_PDF_COLUMNS), style=GROUP_FACE)
            for row in rows:
                if row.theme != theme:
                    continue
                texts = cells(row)
                line = table.row()
                for index in _PDF_INDEXES:
                    line.cell(pdf_text(_clip(texts[index])))
    return bytes(pdf.output())


FORMATS: dict[str, tuple[str, str]] = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "pdf": ("application/pdf", "pdf"),
}


def render(fmt: str, rows: Sequence[SoARow], header: ExportHeader) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the SoA in the format (xlsx, csv or pdf)."""
    content_type, extension = FORMATS[fmt]
    builder = {"xlsx": to_xlsx, "csv": to_csv, "pdf": to_pdf}[fmt]
    return builder(rows, header), content_type, f"{header.file_stem}.{extension}"
