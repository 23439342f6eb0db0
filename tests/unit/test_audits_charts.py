"""The audits SVG charts: the coverage matrix labels each cell with covered/total and escapes labels."""

from __future__ import annotations

from aisms.apps.audits.charts import coverage_matrix, series_chart
from aisms.domain.audits.programme import AuditableItem, ItemKind, ScheduledAudit, coverage
from aisms.domain.audits.review_pack import Series


def test_the_coverage_matrix_shows_covered_over_total_per_group_and_year() -> None:
    items = [
        AuditableItem("iso27001:2022:9.1", "9.1", "Monitoring", ItemKind.CLAUSE, "Clause 9"),
        AuditableItem("iso27001:2022:9.2.1", "9.2.1", "General", ItemKind.CLAUSE, "Clause 9"),
        AuditableItem("iso27002:2022:8.28", "8.28", "Secure <coding>", ItemKind.CONTROL, "A.8 <Tech>"),
    ]
    cov = coverage(items, [ScheduledAudit("A", 2026, frozenset({"iso27001:2022:9.1"}))], (2026, 2027))
    svg = coverage_matrix(cov)
    assert svg.startswith("<svg")
    assert ">1/2<" in svg
    assert "A.8 &lt;Tech&gt;" in svg
    assert "<Tech>" not in svg


def test_share_series_are_drawn_as_percentages() -> None:
    svg = series_chart(Series("Measurements", (("Training coverage", 0.8),), share=True))
    assert "80%" in svg
