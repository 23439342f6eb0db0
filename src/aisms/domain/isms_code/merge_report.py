"""What a merge import did (or would do): counts per file, the records it changed, the history reason."""

from __future__ import annotations

from dataclasses import dataclass

REASON_MAX = 100  # the length of django-simple-history's change reason column


@dataclass
class FileChanges:
    """Records of one file: created, updated, unchanged, and database rows the file does not list."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_files: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_in_files": self.not_in_files,
        }


@dataclass(frozen=True, order=True)
class UpdatedRecord:
    """An existing record the import changes, by its natural key, with the names of the changed fields."""

    file: str
    section: str
    key: str
    fields: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "section": self.section, "key": self.key, "fields": list(self.fields)}


def merge_reason(exported_at: str | None, source: str) -> str:
    """The history change reason of every record a merge writes: where its data came from."""
    return f"import (merge) from {exported_at or source}"[:REASON_MAX]


def summary_lines(
    changes: dict[str, FileChanges], updated: list[UpdatedRecord], *, limit: int = 20
) -> list[str]:
    """A table of the counts per file and a total, then the updated records (at most ``limit``)."""
    header = ("file", "created", "updated", "unchanged", "not in files")
    rows = [
        (name, str(c.created), str(c.updated), str(c.unchanged), str(c.not_in_files))
        for name, c in sorted(changes.items())
    ]
    total = FileChanges()
    for c in changes.values():
        total.created += c.created
        total.updated += c.updated
        total.unchanged += c.unchanged
        total.not_in_files += c.not_in_files
    rows.append(
        ("total", str(total.created), str(total.updated), str(total.unchanged), str(total.not_in_files))
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return f"  {first}  {rest}"

    out = [line(header), *(line(row) for row in rows)]
    if updated:
        out.append("Updated records (changed fields):")
        for record in sorted(updated)[:limit]:
            out.append(f"  {record.file} {record.section} {record.key}: {', '.join(record.fields)}")
        if len(updated) > limit:
            out.append(f"  ... and {len(updated) - limit} more (--json lists them all)")
    return out
