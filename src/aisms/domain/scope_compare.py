"""Compare two versions of the ISMS scope line by line: what was added, removed or changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

SECTIONS = (
    ("statement", "Scope statement"),
    ("in_scope", "In scope"),
    ("out_of_scope", "Out of scope"),
    ("interfaces", "Interfaces"),
    ("dependencies", "Dependencies"),
)


@dataclass(frozen=True)
class LineChange:
    section: str
    kind: str  # "added", "removed" or "changed"
    old: str | None
    new: str | None


def scope_lines(snapshot: dict[str, Any]) -> dict[str, list[str]]:
    """Each section of a scope snapshot as lines of text (items as 'item: reason')."""
    out: dict[str, list[str]] = {}
    for key, _label in SECTIONS:
        value = snapshot.get(key) or ""
        if isinstance(value, list):
            out[key] = [
                f"{row.get('item', '').strip()}: {row.get('reason', '').strip()}".rstrip(": ")
                for row in value
                if isinstance(row, dict) and str(row.get("item", "")).strip()
            ]
        else:
            out[key] = [line.strip() for line in str(value).splitlines() if line.strip()]
    return out


def compare_scopes(old: dict[str, Any], new: dict[str, Any]) -> list[LineChange]:
    """Line changes from ``old`` to ``new``, section by section, in document order."""
    before, after = scope_lines(old), scope_lines(new)
    changes: list[LineChange] = []
    for key, _label in SECTIONS:
        a, b = before[key], after[key]
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = a[i1:i2], b[j1:j2]
            paired = min(len(olds), len(news)) if tag == "replace" else 0
            for index in range(paired):
                changes.append(LineChange(key, "changed", olds[index], news[index]))
            changes.extend(LineChange(key, "removed", line, None) for line in olds[paired:])
            changes.extend(LineChange(key, "added", None, line) for line in news[paired:])
    return changes
