"""`aisms ai train|eval|classify` with small JSONL files written by the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aisms.cli import main
from tests.unit.classify_samples import TOPICS, make_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def _write(path: Path, examples: list) -> Path:
    path.write_text("".join(json.dumps({"text": e.text, "label": e.label}) + "\n" for e in examples))
    return path


def test_train_classify_and_eval_a_named_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = _write(tmp_path / "train.jsonl", make_set(TOPICS, per_label=8, seed=1))
    assert main(["ai", "train", "--data", str(train), "--name", "incidents", "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert (trained["examples"], trained["labels"]) == (64, 8)
    assert sorted(p.name for p in (tmp_path / "data" / "models" / "incidents").iterdir()) == [
        "arrays.npz",
        "model.json",
    ]

    assert (
        main(
            ["ai", "classify", "ransom note after the files were encrypted", "--name", "incidents", "--json"]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["ranked"][0]["label"] == "ransomware"
    assert set(result) == {"novelty", "is_novel", "ranked"}
    assert set(result["ranked"][0]) == {"label", "name", "confidence", "evidence", "example"}

    test = _write(tmp_path / "test.jsonl", make_set(TOPICS, per_label=3, seed=9))
    assert main(["ai", "eval", "--data", str(test), "--name", "incidents", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["split"] == {"method": "held-out", "folds": 1}
    assert report["model"] == "incidents"
    assert report["product"]["n"] == report["baseline"]["n"] == 24
    assert report["product"]["top1"] >= 0.9


def test_eval_cross_validates_product_and_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"text": e.text, "label": e.label, "group": e.group} for e in make_set(TOPICS, per_label=5)]
    data = tmp_path / "grouped.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["ai", "eval", "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["split"]["method"] == "group-k-fold"
    for model in ("product", "baseline"):
        assert {"n", "top1", "top5", "micro_f1", "macro_f1", "per_label"} <= set(report[model])
        assert set(report[model]["per_label"]["phishing"]) == {"precision", "recall", "f1", "support"}
    assert main(["ai", "eval", "--data", str(data)]) == 0
    assert "baseline" in capsys.readouterr().out


def test_bad_files_and_names_are_refused_and_nothing_is_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "label": "A"}\n{"text": "no label"}\n{broken\n')
    assert main(["ai", "train", "--data", str(bad), "--name", "x"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: field 'label' must be a non-empty string" in err
    assert f"{bad}:3: not valid JSON" in err
    assert "Nothing was saved" in err
    assert not (tmp_path / "data" / "models" / "x").exists()
    one = _write(tmp_path / "one.jsonl", make_set({"only": ["a b", "c d"]}, per_label=3))
    assert main(["ai", "train", "--data", str(one), "--name", "x"]) == 1
    assert "two different labels" in capsys.readouterr().err
    assert main(["ai", "train", "--data", str(one), "--name", "../escape"]) == 2
    assert main(["ai", "train", "--data", str(tmp_path / "missing.jsonl")]) == 1
    assert main(["ai", "classify", "text", "--name", "nosuchmodel"]) == 1
    assert "no such model directory" in capsys.readouterr().err
