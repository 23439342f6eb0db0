"""Read labelled texts from JSON Lines: one ``{"text": ..., "label": ..., "group": ...}`` object a line.

All-or-nothing: every bad line is reported with its file name, line number and reason, and nothing is
returned unless the whole file is valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aisms.domain.classify.datatypes import LabelledText

MAX_TEXT_CHARS = 20_000
MAX_LABEL_CHARS = 200
MAX_ERRORS_REPORTED = 50
_ALLOWED_KEYS = frozenset({"text", "label", "group", "id"})


@dataclass(frozen=True)
class LineError:
    filename: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.reason}"


class DatasetError(ValueError):
    """A JSONL file with one or more bad lines; ``errors`` lists each (file, line, reason)."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:MAX_ERRORS_REPORTED])
        more = len(errors) - MAX_ERRORS_REPORTED
        super().__init__(shown + (f"\n... and {more} more bad lines" if more > 0 else ""))


def _check(record: object) -> tuple[LabelledText | None, str]:
    if not isinstance(record, dict):
        return None, 'expected a JSON object such as {"text": "...", "label": "..."}'
    extra = sorted(set(record) - _ALLOWED_KEYS)
    if extra:
        return None, f"unknown field {extra[0]!r} (allowed: group, id, label, text)"
    text, label, group = record.get("text"), record.get("label"), record.get("group", "")
    if not isinstance(text, str) or not text.strip():
        return None, "field 'text' must be a non-empty string"
    if len(text) > MAX_TEXT_CHARS:
        return None, f"field 'text' is longer than {MAX_TEXT_CHARS} characters"
    if isinstance(label, int | float) and not isinstance(label, bool):
        label = str(label)
    if not isinstance(label, str) or not label.strip():
        return None, "field 'label' must be a non-empty string"
    if len(label) > MAX_LABEL_CHARS:
        return None, f"field 'label' is longer than {MAX_LABEL_CHARS} characters"
    if isinstance(group, int) and not isinstance(group, bool):
        group = str(group)
    if not isinstance(group, str):
        return None, "field 'group' must be a string when present"
    return LabelledText(text=text.strip(), label=label.strip(), group=group.strip()), ""


def parse_jsonl(text: str, filename: str) -> list[LabelledText]:
    """Parse JSONL text; raise DatasetError listing every bad line (blank lines are skipped)."""
    examples: list[LabelledText] = []
    errors: list[LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(LineError(filename, number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        example, reason = _check(record)
        if example is None:
            errors.append(LineError(filename, number, reason))
        else:
            examples.append(example)
    if errors:
        raise DatasetError(errors)
    if not examples:
        raise DatasetError([LineError(filename, 0, "no examples: the file is empty")])
    return examples


def require_trainable(examples: list[LabelledText], filename: str) -> None:
    """A model needs at least two labels to tell apart."""
    if len({e.label for e in examples}) < 2:
        raise DatasetError([LineError(filename, 0, "at least two different labels are needed to train")])


def to_jsonl(examples: list[LabelledText]) -> str:
    lines = []
    for e in examples:
        record = {"text": e.text, "label": e.label, **({"group": e.group} if e.group else {})}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")
