"""The summary a merge import prints, and the history reason it records."""

from __future__ import annotations

from aisms.domain.isms_code.merge_report import FileChanges, UpdatedRecord, merge_reason, summary_lines


def test_the_summary_is_a_table_with_a_total_then_the_updated_records() -> None:
    changes = {
        "risks.yaml": FileChanges(created=1, updated=2, unchanged=40, not_in_files=1),
        "assets.yaml": FileChanges(created=12, unchanged=3),
    }
    updated = [
        UpdatedRecord("risks.yaml", "risks", "R-002", ("title",)),
        UpdatedRecord("risks.yaml", "risks", "R-001", ("assets", "title")),
    ]

    lines = summary_lines(changes, updated, limit=1)

    assert lines == [
        "  file         created  updated  unchanged  not in files",
        "  assets.yaml       12        0          3             0",
        "  risks.yaml         1        2         40             1",
        "  total             13        2         43             1",
        "Updated records (changed fields):",
        "  risks.yaml risks R-001: assets, title",
        "  ... and 1 more (--json lists them all)",
    ]


def test_the_history_reason_names_the_export_or_else_the_source() -> None:
    assert (
        merge_reason("2026-11-30T09:00:00+00:00", "isms") == "import (merge) from 2026-11-30T09:00:00+00:00"
    )
    assert merge_reason(None, "isms.zip") == "import (merge) from isms.zip"
    assert len(merge_reason(None, "x" * 300)) == 100
