"""The threat-model report as PDF (fpdf2): the system, its data-flow diagram, the threats by element with
their catalogue references and rationale, and the mitigations with their status."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping
from datetime import datetime

from fpdf import FPDF

from aisms.apps.web.pdf_layout import GROUP_FACE, house_table, pdf_text
from aisms.domain.threatmodel.analysis import Analysis
from aisms.domain.threatmodel.model import KIND_INFO, ThreatModel
from aisms.domain.threatmodel.reports import DecisionView

_TITLE_TAG = re.compile(r"<title>.*?</title>", re.DOTALL)


class _Report(FPDF):
    def __init__(self, title: str, subtitle: str, generated: datetime) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.report_title, self.subtitle, self.generated = title, subtitle, generated
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(title)
        self.set_author("aisms")
        self.set_creator("aisms")

    def header(self) -> None:
        self.set_font("helvetica", "B", 12)
        self.cell(0, 6, pdf_text(self.report_title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", "", 8)
        self.cell(0, 4.5, pdf_text(self.subtitle), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("helvetica", "", 7)
        self.cell(0, 4, f"Generated {self.generated:%Y-%m-%d %H:%M} UTC by aisms", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def _status(decision: DecisionView | None) -> str:
    if decision is None or decision.relevant is None:
        return "Not yet assessed"
    if not decision.relevant:
        return f"Not relevant: {decision.reason}" if decision.reason else "Not relevant"
    text = "Relevant"
    if decision.risk_ref:
        text += f"; risk {decision.risk_ref}"
    return text + f"; mitigation {decision.mitigation_status.lower()}"


def to_pdf(
    model: ThreatModel,
    analysis: Analysis,
    svg: str,
    decisions: Mapping[str, DecisionView],
    *,
    version: int,
    generated: datetime,
) -> bytes:
    pdf = _Report(
        f"Threat model: {model.name}", f"Version {version}. {len(analysis.threats)} threats.", generated
    )
    pdf.add_page()
    pdf.set_font("helvetica", "", 9)
    if model.description:
        pdf.multi_cell(0, 4.5, pdf_text(model.description), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    # fpdf2 draws simple SVG (rect, line, path, text); <title> tooltips are dropped first.
    clean = pdf_text(_TITLE_TAG.sub("", svg))
    svg_logger = logging.getLogger("fpdf.svg")
    previous = svg_logger.level
    svg_logger.setLevel(logging.ERROR)
    try:
        pdf.image(io.BytesIO(clean.encode("utf-8")), x=pdf.l_margin, w=pdf.epw, keep_aspect_ratio=True, h=150)
    finally:
        svg_logger.setLevel(previous)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 6, "Components", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 7.5)
    with house_table(pdf, (45, 40, 35, 110, 47)) as table:
        head = table.row()
        for name in ("Component", "Kind", "Boundary", "Properties", "Asset"):
            head.cell(name)
        for c in model.components:
            row = table.row()
            for text in (
                c.name,
                KIND_INFO[c.kind][0],
                c.boundary or "-",
                ", ".join(sorted(p.value for p in c.properties)) or "-",
                c.asset or "-",
            ):
                row.cell(pdf_text(text))
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 6, "Threats by element", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 7)
    with house_table(pdf, (62, 48, 10, 60, 60, 37), line_height=3.4) as table:
        head = table.row()
        for name in ("Threat", "Catalogue", "L x I", "Why", "Mitigations", "Status"):
            head.cell(name)
        for element_id, threats in analysis.by_element().items():
            table.row().cell(pdf_text(model.element_name(element_id)), colspan=6, style=GROUP_FACE)
            for t in threats:
                catalogue = "\n".join(r.uid for r in t.threats)
                if t.stride:
                    catalogue = f"STRIDE {t.stride_label}" + ("\n" + catalogue if catalogue else "")
                row = table.row()
                row.cell(pdf_text(f"{t.title}\n{t.description}"))
                row.cell(pdf_text(catalogue))
                row.cell(f"{t.likelihood} x {t.impact}")
                row.cell(pdf_text("; ".join(t.rationale)))
                row.cell(pdf_text("\n".join(f"{r.uid} {r.name}" for r in t.mitigations)))
                row.cell(pdf_text(_status(decisions.get(t.id))))
    return bytes(pdf.output())
