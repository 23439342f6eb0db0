"""FIRST EPSS scores (CSV): an optional '#model_version:...,score_date:...' comment line, then the header
'cve,epss,percentile' and one row per CVE. Read line by line; gzip is handled by the caller."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO

from aisms.domain.intel.json_stream import CountingReader, Progress, file_size
from aisms.domain.intel.records import (
    CVE_RE,
    IntelParseError,
    ParsedEpss,
    ParsedFeed,
    Position,
    parse_iso_date,
)

HEADER = ("cve", "epss", "percentile")


def _lines(reader: CountingReader, filename: str) -> Iterator[tuple[int, int, str]]:
    """(line number, byte offset, text) for each line, read in chunks; the last may lack its newline."""
    offset = 0
    number = 0
    pending = b""
    while True:
        chunk = reader.read(256 * 1024)
        if not chunk:
            lines = [pending] if pending else []
        else:
            lines = [line + b"\n" for line in (pending + chunk).split(b"\n")]
            pending = lines.pop()[:-1]
        for line in lines:
            number += 1
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise IntelParseError(
                    filename, Position(offset + exc.start, number), "not UTF-8 text"
                ) from exc
            yield number, offset, text
            offset += len(line)
        if not chunk:
            return


def parse_epss(fp: IO[bytes], *, filename: str, progress: Progress | None = None) -> ParsedFeed:
    reader = CountingReader(fp, file_size(fp), progress)
    feed = ParsedFeed(format="epss")
    score_date = None
    header_seen = False
    last_offset = 0
    for number, offset, text in _lines(reader, filename):
        last_offset = offset + len(text.encode())
        line = text.strip()
        if not line:
            continue
        if line.startswith("#"):
            for part in line.lstrip("#").split(","):
                key, _, value = part.partition(":")
                if key.strip() == "score_date":
                    score_date = parse_iso_date(value.strip())
                elif key.strip() == "model_version":
                    feed.meta["model_version"] = value.strip()
            continue
        cells = [c.strip() for c in line.split(",")]
        if not header_seen:
            if tuple(c.lower() for c in cells[:3]) != HEADER:
                reason = "wrong type: expected the EPSS header 'cve,epss,percentile'"
                if line.startswith(("{", "[")):
                    reason += " (this is JSON, not CSV)"
                raise IntelParseError(filename, Position(offset, number, "header"), reason)
            header_seen = True
            continue
        try:
            feed.epss.append(_row(cells, number, offset, score_date, filename))
        except IntelParseError as exc:
            if text.endswith("\n"):
                raise
            raise IntelParseError(
                filename, exc.position, f"truncated: the file ends inside a row ({exc.reason})"
            ) from None
    if not header_seen:
        raise IntelParseError(
            filename, Position(last_offset, None), "empty file: no 'cve,epss,percentile' header"
        )
    feed.meta["score_date"] = score_date.isoformat() if score_date else None
    return feed


def _row(cells: list[str], number: int, offset: int, score_date: date | None, filename: str) -> ParsedEpss:
    if len(cells) != 3:
        raise IntelParseError(
            filename, Position(offset, number, f"row {number}"), f"expected 3 columns, found {len(cells)}"
        )
    cve_id = cells[0].upper()
    if not CVE_RE.fullmatch(cve_id):
        raise IntelParseError(filename, Position(offset, number, "cve"), f"{cells[0]!r} is not a CVE id")
    values = []
    for name, cell in zip(("epss", "percentile"), cells[1:], strict=True):
        try:
            value = float(cell)
        except ValueError:
            raise IntelParseError(
                filename, Position(offset, number, name), f"{name} {cell!r} is not a number"
            ) from None
        if not 0.0 <= value <= 1.0:
            raise IntelParseError(filename, Position(offset, number, name), f"{name} {cell} is outside 0-1")
        values.append(value)
    return ParsedEpss(cve_id, values[0], values[1], score_date)
