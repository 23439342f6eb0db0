"""A report as plain data (facts, sections, tables) and its PDF and XLSX renderings."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from aisms.apps.web.pdf_layout import house_table, pdf_text

_CELL_LIMIT = 900


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]  # relative widths; PDF columns share the page width in these proportions
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ReportSection:
    title: str
    text: str = ""
    tables: tuple[ReportTable, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    organisation: str
    generated_at: dt.datetime
    facts: tuple[tuple[str, str], ...]
    sections: tuple[ReportSection, ...] = field(default_factory=tuple)
    landscape: bool = True

    @property
    def heading(self) -> str:
        return f"{self.title}: {self.organisation}"


def _clip(text: str) -> str:
    return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 30] + " ... (continued in aisms)"


class _Pdf(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="landscape" if report.landscape else "portrait", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.report = report
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(pdf_text(report.heading))
        self.set_author("aisms")
        self.set_creator("aisms")

    def header(self) -> None:
        self.set_font("helvetica", "B", 12)
        self.cell(0, 6, pdf_text(self.report.heading), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(150, 160, 175)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("helvetica", "", 7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"Generated {self.report.generated_at:%Y-%m-%d %H:%M} UTC by aisms", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def to_pdf(report: Report) -> bytes:
    pdf = _Pdf(report)
    pdf.add_page()
    pdf.set_font("helvetica", "", 8.5)
    for label, value in report.facts:
        pdf.set_font("helvetica", "B", 8.5)
        pdf.cell(40, 4.5, pdf_text(label))
        pdf.set_font("helvetica", "", 8.5)
        pdf.multi_cell(0, 4.5, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(0, 6, pdf_text(section.title), new_x="LMARGIN", new_y="NEXT")
        if section.text:
            pdf.set_font("helvetica", "", 8.5)
            pdf.multi_cell(0, 4.5, pdf_text(section.text), new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            pdf.ln(1)
            if table.title:
                pdf.set_font("helvetica", "B", 9)
                pdf.multi_cell(0, 5, pdf_text(table.title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", "", 7.5)
            if not table.rows:
                pdf.multi_cell(0, 4.5, "None.", new_x="LMARGIN", new_y="NEXT")
                continue
            with house_table(pdf, table.widths) as out:
                head = out.row()
                for column in table.columns:
                    head.cell(pdf_text(column))
                for row in table.rows:
                    line = out.row()
                    for text in row:
                        line.cell(pdf_text(_clip(text)))
    return bytes(pdf.output())


_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DCE3EC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if value.startswith("="):
        cell.data_type = "s"  # text from people is never a formula
    cell.alignment = _WRAP


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:25]}-{n}", n + 1
    used.add(name)
    return name


def to_xlsx(report: Report) -> bytes:
    """A summary sheet (facts and section texts), then one sheet per table with a filter and frozen header."""
    book = Workbook()
    summary = book.active
    if not isinstance(summary, Worksheet):  # a new workbook always has one
        raise TypeError("openpyxl gave no worksheet")
    summary.title = "Summary"
    summary["A1"] = report.heading
    summary["A1"].font = Font(bold=True, size=14)
    row = 3
    for label, value in (*report.facts, ("Generated", f"{report.generated_at:%Y-%m-%d %H:%M} UTC by aisms")):
        summary.cell(row=row, column=1, value=label).font = _BOLD
        _text(summary, row, 2, value)
        row += 1
    for section in report.sections:
        row += 1
        summary.cell(row=row, column=1, value=section.title).font = _BOLD
        if section.text:
            _text(summary, row, 2, section.text)
        row += 1
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 100
    used = {"Summary"}
    for section in report.sections:
        for table in section.tables:
            sheet = book.create_sheet(_sheet_name(table.title or section.title, used))
            for index, column in enumerate(table.columns, start=1):
                cell = sheet.cell(row=1, column=index, value=column)
                cell.font = _BOLD
                cell.fill = _HEAD_FILL
                cell.alignment = _WRAP
                width = max(10.0, min(70.0, table.widths[index - 1] * 1.6))
                sheet.column_dimensions[get_column_letter(index)].width = width
            for r, values in enumerate(table.rows, start=2):
                for c, value in enumerate(values, start=1):
                    _text(sheet, r, c, value)
            sheet.freeze_panes = "A2"
            last = get_column_letter(len(table.columns))
            sheet.auto_filter.ref = f"A1:{last}{max(len(table.rows), 1) + 1}"
    book.properties.title = report.heading
    book.properties.creator = "aisms"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(report: Report, fmt: str) -> bytes:
    return to_pdf(report) if fmt == "pdf" else to_xlsx(report)
