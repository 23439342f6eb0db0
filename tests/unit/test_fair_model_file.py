"""FAIR model files: parsed into RiskFactors, refused with the file, line and field; the CLI command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.domain.fair import Distribution, Estimate
from aisms.domain.fair_model_file import parse_fair_model
from aisms.fair_command import run

MODEL = """\
currency: EUR
risks:
  - id: R1
    name: Prompt injection exfiltrates patient data
    tef: {low: 0.5, most_likely: 2, high: 6}
    vulnerability: {low: 0.05, most_likely: 0.2, high: 0.4}
    primary_loss: {low: 20000, high: 400000, distribution: lognormal}
    secondary_loss_probability: {low: 0.1, most_likely: 0.3, high: 0.5}
    secondary_loss: {low: 50000, high: 2e6, distribution: lognormal}
  - id: R2
    name: Training data poisoned through a supplier
    lef: {low: 0.02, most_likely: 0.1, high: 0.5}
    primary_loss: {low: 10000, most_likely: 80000, high: 900_000}
  - id: R3
    lef: 1
    primary_loss: 5000
"""


def test_a_model_file_becomes_risk_factors() -> None:
    model = parse_fair_model(MODEL, "model.yaml")
    assert model.currency == "EUR"
    first, second, third = model.risks
    assert first.id == "R1"
    assert first.tef == Estimate(low=0.5, most_likely=2, high=6)
    assert first.secondary_loss == Estimate(low=50_000, high=2_000_000, distribution=Distribution.LOGNORMAL)
    assert second.lef == Estimate(low=0.02, most_likely=0.1, high=0.5)
    assert second.primary_loss.high == 900_000
    assert second.tef is None
    assert third.name == "R3"
    assert third.lef == Estimate.constant(1)


def break_model(old: str, new: str) -> str:
    assert old in MODEL
    return MODEL.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (break_model("currency: EUR", "curency: EUR"), 1, "curency", "unknown key"),
        (break_model("    lef: 1\n", "    lef: 1\n    primary_los: 3\n"), 16, "primary_los", "unknown key"),
        (break_model("most_likely: 2, high: 6", "most_likely: 9, high: 6"), 5, "tef.most_likely", "between"),
        (
            break_model("{low: 0.5, most_likely: 2, high: 6}", "{low: 0.5, most_likely: 2}"),
            5,
            "tef.high",
            "needs high",
        ),
        (break_model("high: 0.4}", "high: 1.4}"), 6, "vulnerability.high", "within [0, 1]"),
        (
            break_model("high: 400000, distribution: lognormal", "high: lots"),
            7,
            "primary_loss.high",
            "number",
        ),
        (
            break_model("high: 400000, distribution: lognormal", "high: 400000, distribution: normal"),
            7,
            "primary_loss.distribution",
            "pert, lognormal",
        ),
        (
            break_model("{low: 10000, most_likely", "{low: 10000, mode: 3, most_likely"),
            13,
            "primary_loss.mode",
            "unknown",
        ),
        (break_model("  - id: R2", "  - id: R1"), 10, "id", "already used (line 3)"),
        (break_model("    lef: 1\n", "    lef: 1\n    tef: 2\n"), 15, "lef", "not both"),
        # a missing field is reported at the start of its risk
        (
            break_model("    secondary_loss: {low: 50000, high: 2e6, distribution: lognormal}\n", ""),
            3,
            "secondary_loss",
            "together",
        ),
        (
            break_model("primary_loss: 5000", "primary_loss: [1, 2]"),
            16,
            "primary_loss",
            "a range is a mapping",
        ),
        (break_model("  - id: R3", "  - id: ''"), 14, "id", "needs an id"),
    ],
)
def test_bad_files_are_refused_naming_line_and_field(text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_fair_model(text, "model.yaml")
    error = raised.value
    assert (error.file, error.line, error.field) == ("model.yaml", line, field)
    assert words in error.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("risks: []\n", 1, "at least one risk"),
        ("- just a list\n", 1, "mapping"),
        ("risks:\n  - id: R1\n    lef: {low: 1\n", 4, "not valid YAML"),
        ("risks:\n  - 5\n", 2, "each risk is a mapping"),
    ],
)
def test_malformed_documents_are_refused(text: str, line: int, words: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_fair_model(text, "model.yaml")
    assert raised.value.line == line
    assert words in raised.value.message


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def model_path(tmp_path: Path) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(MODEL, encoding="utf-8")
    return str(path)


def test_the_command_prints_json_with_risks_portfolio_runs_seed_and_method(model_path: str) -> None:
    out = io.StringIO()
    assert run(model_path, runs=2000, seed=7, as_json=True, out=out) == 0
    figures = json.loads(out.getvalue())
    assert (figures["runs"], figures["seed"], figures["currency"]) == (2000, 7, "EUR")
    assert figures["method"].startswith("aisms-fair-mc/")
    assert [risk["id"] for risk in figures["risks"]] == ["R1", "R2", "R3"]
    assert figures["risks"][2]["mean"] == 5000
    assert figures["portfolio"]["mean"] == pytest.approx(sum(risk["mean"] for risk in figures["risks"]))
    assert set(figures["portfolio"]["percentiles"]) == {"p10", "p50", "p90", "p95", "p99"}
    assert len(figures["portfolio"]["exceedance"]) == len(figures["loss_thresholds"])
    again = io.StringIO()
    run(model_path, runs=2000, seed=7, as_json=True, out=again)
    assert again.getvalue() == out.getvalue()


def test_the_command_prints_a_table(model_path: str) -> None:
    out = io.StringIO()
    assert run(model_path, runs=500, seed=1, as_json=False, out=out) == 0
    text = out.getvalue()
    assert "mean ALE (EUR)" in text
    assert "portfolio  3 risks" in text
    assert "500 runs, seed 1" in text


def test_the_command_names_file_line_and_field_of_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(break_model("high: 0.4}", "high: 1.4}"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(str(path), runs=100, seed=1, as_json=True, out=out, err=err) == 1
    assert out.getvalue() == ""
    assert f"{path}, line 6, field 'vulnerability.high'" in err.getvalue()


@pytest.mark.parametrize(("runs", "seed", "words"), [(0, 1, "field 'runs'"), (10, -3, "field 'seed'")])
def test_the_command_refuses_bad_run_settings(model_path: str, runs: int, seed: int, words: str) -> None:
    err = io.StringIO()
    assert run(model_path, runs=runs, seed=seed, as_json=False, out=io.StringIO(), err=err) == 1
    assert words in err.getvalue()


def test_the_command_reports_a_missing_file(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run(str(tmp_path / "absent.yaml"), runs=10, seed=1, as_json=False, err=err) == 1
    assert "cannot read the file" in err.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_progress_on_a_terminal_only(
    model_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aisms.fair_command.PROGRESS_MIN_DRAWS", 0)
    monkeypatch.setattr("aisms.fair_command.PROGRESS_DELAY_S", 0)
    terminal, pipe = _Terminal(), io.StringIO()
    assert run(model_path, runs=100, seed=1, as_json=True, out=io.StringIO(), err=terminal) == 0
    assert run(model_path, runs=100, seed=1, as_json=True, out=io.StringIO(), err=pipe) == 0
    assert "3/3" in terminal.getvalue()
    assert pipe.getvalue() == ""
