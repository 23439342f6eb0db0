"""Free-text threat reports (plain text or Markdown): one 'report' item whose title is the first heading
or line, with the paragraphs kept for classification and the CVE, ATLAS and ATT&CK ids it mentions."""

from __future__ import annotations

import hashlib
import re
from typing import IO

from aisms.domain.intel.records import (
    IntelParseError,
    ParsedFeed,
    ParsedItem,
    Position,
    cves_in_text,
    techniques_in_text,
    tlp_from_name,
)

MAX_TEXT_BYTES = 5 * 1024 * 1024
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_TLP = re.compile(r"\bTLP:(CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\b", re.IGNORECASE)


def paragraphs(text: str) -> list[str]:
    """Blocks of text separated by blank lines, whitespace tidied."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(b.split()) for b in blocks if b.strip()]


def report_title(text: str) -> str:
    first_line = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            return heading.group(1).strip()[:500]
        if not first_line:
            first_line = line.strip()
    return first_line[:500]


def parse_text(data: bytes | str, *, filename: str, title: str = "") -> ParsedFeed:
    """Parse a report given as bytes (a file) or text (pasted). Its external id is a digest of the text,
    so the same report pasted twice is one item."""
    if isinstance(data, bytes):
        if b"\x00" in data[:8192]:
            offset = data.index(b"\x00")
            raise IntelParseError(
                filename, Position(offset, data.count(b"\n", 0, offset) + 1), "wrong type: binary, not text"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IntelParseError(
                filename, Position(exc.start, data.count(b"\n", 0, exc.start) + 1), "not UTF-8 text"
            ) from exc
    else:
        text = data
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) and stripped.rstrip().endswith(("}", "]")):
        raise IntelParseError(
            filename, Position(0, 1), "wrong type: this is JSON; choose the stix, misp, kev or nvd format"
        )
    if not text.strip():
        raise IntelParseError(filename, Position(0, 1), "empty report: no text")
    heading = title.strip() or report_title(text)
    blocks = paragraphs(text)
    body = "\n\n".join(blocks)  # the id is a digest of all of it, heading included
    described = blocks
    if blocks and (first := _HEADING.match(blocks[0])) and first.group(1).strip()[:500] == heading:
        described = blocks[1:]  # the heading became the title: the description starts below it
    tlp_match = _TLP.search(text)
    digest = hashlib.sha256(body.encode()).hexdigest()[:20]
    item = ParsedItem(
        kind="report",
        external_id=f"report:{digest}",
        title=heading,
        description="\n\n".join(described) or body,
        tlp=tlp_from_name(tlp_match.group(0)) if tlp_match else None,
        technique_uids=techniques_in_text(text),
        cve_ids=cves_in_text(text),
        ref=filename,
    )
    return ParsedFeed(format="text", items=[item], meta={"paragraphs": len(blocks)})


def read_text(fp: IO[bytes], *, filename: str) -> bytes:
    data = fp.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise IntelParseError(
            filename, Position(MAX_TEXT_BYTES), f"too large for a text report (over {MAX_TEXT_BYTES} bytes)"
        )
    return data
