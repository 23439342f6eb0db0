"""`aisms fair simulate MODEL.yaml --runs N --seed S [--json]`: Monte Carlo over a FAIR model file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from aisms.catalogue.errors import CatalogueError
from aisms.domain.fair import PERCENTILE_LEVELS, FairInputError, LossSummary, SimulationResult, simulate
from aisms.domain.fair_model_file import FairModelDocument, parse_fair_model

# Show a progress bar only for runs that take a noticeable time (risks x runs draws per factor).
PROGRESS_MIN_DRAWS = 5_000_000
PROGRESS_DELAY_S = 0.5
NAME_WIDTH = 40


def run(
    path: str,
    runs: int,
    seed: int,
    as_json: bool,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Simulate the model in ``path``; print figures to ``out`` and errors to ``err``. Exit code."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {path}: cannot read the file ({exc})", file=err)
        return 1
    try:
        model = parse_fair_model(text, path)
        result = _simulate_with_progress(model, runs, seed, err)
    except (CatalogueError, FairInputError) as exc:
        print(f"error: {exc}", file=err)
        return 1
    if as_json:
        json.dump(result_as_json(result, model.currency), out, indent=2)
        out.write("\n")
    else:
        out.write(result_as_table(result, model))
    return 0


def _simulate_with_progress(model: FairModelDocument, runs: int, seed: int, err: TextIO) -> SimulationResult:
    from tqdm import tqdm

    show = err.isatty() and len(model.risks) * runs >= PROGRESS_MIN_DRAWS
    with tqdm(
        total=len(model.risks),
        desc="Simulating",
        unit="risk",
        file=err,
        disable=not show,
        delay=PROGRESS_DELAY_S,
    ) as bar:
        return simulate(model.risks, runs, seed, progress=bar.update)


def _summary_as_json(summary: LossSummary) -> dict[str, Any]:
    return {
        "mean": summary.mean,
        "std_dev": summary.std_dev,
        "percentiles": {f"p{level}": value for level, value in summary.percentiles.items()},
        "exceedance": list(summary.exceedance),
    }


def result_as_json(result: SimulationResult, currency: str | None = None) -> dict[str, Any]:
    """The figures as JSON: the annual loss of each risk and of the portfolio, and the shared grid."""
    return {
        "method": result.method,
        "runs": result.runs,
        "seed": result.seed,
        "currency": currency,
        "loss_thresholds": list(result.thresholds),
        "risks": [
            {
                "id": risk.risk_id,
                "name": risk.name,
                "mean_loss_event_frequency": risk.mean_loss_event_frequency,
                "mean_loss_magnitude": risk.mean_loss_magnitude,
                **_summary_as_json(risk.annual_loss),
            }
            for risk in result.risks
        ],
        "portfolio": _summary_as_json(result.portfolio),
    }


def _money(value: float) -> str:
    return f"{value:,.0f}"


def result_as_table(result: SimulationResult, model: FairModelDocument) -> str:
    """The figures as a plain-text table, one row per risk and one for the portfolio."""
    unit = f" ({model.currency})" if model.currency else ""
    headers = ["risk", "name", "LEF/yr", f"mean ALE{unit}", *(f"P{level}" for level in PERCENTILE_LEVELS)]
    rows = [
        [
            risk.risk_id,
            _shortened(risk.name),
            f"{risk.mean_loss_event_frequency:.3g}",
            _money(risk.annual_loss.mean),
            *(_money(risk.annual_loss.percentile(level)) for level in PERCENTILE_LEVELS),
        ]
        for risk in result.risks
    ]
    portfolio = result.portfolio
    rows.append(
        [
            "portfolio",
            f"{len(result.risks)} risks",
            "",
            _money(portfolio.mean),
            *(_money(portfolio.percentile(level)) for level in PERCENTILE_LEVELS),
        ]
    )
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    text_columns = 2

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < text_columns else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    body = [line(headers), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])]
    footer = f"{result.runs:,} runs, seed {result.seed}; figures are losses per year. Method: {result.method}"
    return "\n".join([*body, "", footer]) + "\n"


def _shortened(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"
