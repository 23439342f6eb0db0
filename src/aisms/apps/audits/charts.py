"""SVG charts of the audits area: the programme coverage matrix, NC ageing, and the pack's series."""

from __future__ import annotations

from html import escape

from aisms.apps.web.charts import heat_grid, horizontal_bars, percent_bars
from aisms.domain.audits.programme import ProgrammeCoverage
from aisms.domain.audits.review_pack import Series

_SCALE = ((0.0, "#e8ecf1"), (0.01, "#fde2b8"), (0.34, "#c8e6a0"), (0.67, "#7cc17a"), (1.0, "#2e8b57"))


def _colour(share: float) -> str:
    colour = _SCALE[0][1]
    for threshold, value in _SCALE:
        if share >= threshold:
            colour = value
    return colour


def coverage_matrix(cov: ProgrammeCoverage) -> str:
    """Clauses and control themes (rows) by year (columns): the share of each group's items audited."""
    rows = []
    labels = []
    for group in cov.groups:
        cells = []
        texts = []
        for year in cov.years:
            cell = cov.cell(group, year)
            cells.append((cell.covered, _colour(cell.share)))
            texts.append(f"{cell.covered}/{cell.total}" if cell.covered else "")
        rows.append((group, cells))
        labels.append(texts)
    return heat_grid(
        rows,
        [str(y) for y in cov.years],
        title="Audit programme coverage: items audited per clause or control theme and year",
        cell_labels=labels,
    )


def coverage_legend() -> str:
    parts = []
    for index, (label, share) in enumerate(
        (("none", 0.0), ("some", 0.2), ("a third", 0.4), ("two thirds", 0.7), ("all", 1.0))
    ):
        x = index * 92
        parts.append(
            f'<rect x="{x}" y="2" width="14" height="14" rx="2" fill="{_colour(share)}"></rect>'
            f'<text x="{x + 18}" y="14" class="axis-label">{escape(label)}</text>'
        )
    return (
        '<svg class="coverage-legend" role="img" aria-label="Colour scale: share of items audited" '
        f'viewBox="0 0 470 20" width="100%" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def ageing_chart(buckets: list[tuple[str, int]]) -> str:
    return horizontal_bars(buckets, title="Open nonconformities by age")


def series_chart(series: Series) -> str:
    if series.share:
        return percent_bars(list(series.points), title=series.title)
    return horizontal_bars([(label, int(value)) for label, value in series.points], title=series.title)
