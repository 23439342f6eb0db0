"""Golden tests: the sample models under tests/data/threatmodels/ give exactly the threats recorded in
their .expected.json files (ids, catalogue ids, default scores). Set AISMS_UPDATE_GOLDEN=1 to rewrite the
expected files after a deliberate rule change, then review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aisms.catalogue.threatmodel_rules import builtin_engine
from aisms.domain.threatmodel.model_file import parse_model

DATA = Path(__file__).resolve().parents[1] / "data" / "threatmodels"
SAMPLES = sorted(p for p in DATA.glob("*.yaml") if not p.name.endswith(".rules.yaml"))


def _summary(path: Path) -> dict[str, object]:
    engine = builtin_engine()
    analysis = engine.analyze(parse_model(path.read_text(encoding="utf-8"), path.name))
    return {
        "model": analysis.model_name,
        "counts": analysis.counts(),
        "threats": [
            {
                "id": t.id,
                "stride": t.stride,
                "catalogue": [r.uid for r in t.threats],
                "likelihood": t.likelihood,
                "impact": t.impact,
                "line": t.line,
            }
            for t in analysis.threats
        ],
    }


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_matches_golden(path: Path) -> None:
    expected_path = path.with_suffix(".expected.json")
    actual = _summary(path)
    if os.environ.get("AISMS_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


def test_there_are_samples_of_llm_agent_and_classical_ml() -> None:
    names = {p.stem for p in SAMPLES}
    assert {"triage-assistant", "service-desk-agent", "fraud-ml-pipeline"} <= names


def test_docs_example_is_the_demo_model() -> None:
    repo = Path(__file__).resolve().parents[2]
    docs = (repo / "docs" / "examples" / "triage-assistant.threatmodel.yaml").read_text(encoding="utf-8")
    demo = (
        repo / "src" / "aisms" / "apps" / "threatmodels" / "demo_triage_assistant.threatmodel.yaml"
    ).read_text(encoding="utf-8")
    assert docs == demo == (DATA / "triage-assistant.yaml").read_text(encoding="utf-8")
