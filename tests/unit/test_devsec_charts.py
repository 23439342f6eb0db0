"""The findings-over-time chart: one stacked bar per scan, segments by severity, text escaped."""

from __future__ import annotations

import re

from aisms.apps.devsec.charts import ScanPoint, findings_over_time


def test_one_stacked_bar_per_scan_with_severity_segments() -> None:
    svg = findings_over_time(
        [ScanPoint("19 Oct", "9f1c", 7, 9, 0), ScanPoint("27 Nov", "a1b2", 1, 2, 1)], title="Findings of <x>"
    )
    assert svg.count('class="scan-bar"') == 2
    assert re.findall(r'data-severity="(\w+)"', svg) == ["error", "warning", "error", "warning", "note"]
    assert "Findings of &lt;x&gt;" in svg
    assert "<x>" not in svg
    assert "19 Oct 9f1c: 7 errors, 9 warnings, 0 notes" in svg
    bars = re.findall(r'height="([\d.]+)" fill="#b3261e" data-severity="error"', svg)
    assert float(bars[0]) == 7 * float(bars[1])  # bar heights are proportional to the counts


def test_no_scans_says_so() -> None:
    assert "no scans yet" in findings_over_time([], title="Findings")
