"""What every aisms PDF shares: text the core fonts can show, and the house style of tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

HEADING_FACE = FontFace(emphasis="BOLD", fill_color=(220, 227, 236))  # column headings
GROUP_FACE = FontFace(emphasis="BOLD", fill_color=(238, 241, 245))  # a row that opens a group

_PDF_REPLACEMENTS = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2713": "yes",
    "\u00a0": " ",
}


def pdf_text(text: str) -> str:
    """Text the PDF core fonts can show (Windows-1252: accents, dashes, quotes and the euro sign);
    other characters become their closest plain form, or '?'."""
    out = []
    for char in text:
        if char == "\n" or (char.isprintable() and _encodable(char)):
            out.append(char)
            continue
        if not char.isprintable():
            out.append(" ")
            continue
        plain = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
        out.append(_PDF_REPLACEMENTS.get(char) or plain or "?")
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def house_table(
    pdf: FPDF, col_widths: Sequence[float], *, line_height: float = 3.6
) -> AbstractContextManager[Any]:
    """A table in the house style: shaded headings repeated on every page, text wrapped at the top."""
    return pdf.table(
        col_widths=tuple(col_widths),
        headings_style=HEADING_FACE,
        line_height=line_height,
        text_align="LEFT",
        v_align="TOP",
        padding=1,
        repeat_headings=1,
    )
