"""The pytm comparison (bench/threatmodel_vs_pytm.py): aisms finds every AI threat pytm finds on the
equivalent models. Skipped when the bench extra (pytm) is not installed."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

pytest.importorskip("pytm")

BENCH = Path(__file__).resolve().parents[2] / "bench" / "threatmodel_vs_pytm.py"


def test_aisms_finds_every_ai_threat_pytm_finds() -> None:
    bench = runpy.run_path(str(BENCH))
    for scenario in bench["SCENARIOS"]:
        result = bench["run"](scenario)
        assert result.pytm_ai, scenario.name
        assert result.missed == [], scenario.name
        assert result.added, scenario.name
