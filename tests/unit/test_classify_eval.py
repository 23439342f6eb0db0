"""JSONL datasets, metrics against hand-computed values, cross-validation splits, product vs baseline."""

from __future__ import annotations

import random

import pytest

from aisms.domain.classify.baseline import BaselineClassifier
from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.evaluation import cross_validate, make_folds
from aisms.domain.classify.jsonl_dataset import DatasetError, parse_jsonl, require_trainable, to_jsonl
from aisms.domain.classify.metrics import (
    auroc,
    macro_f1,
    micro_f1,
    per_label_figures,
    quality_report,
    top_k_accuracy,
)


def test_jsonl_reads_text_label_and_group_and_skips_blank_lines() -> None:
    text = '{"text": "a b", "label": "T1"}\n\n{"text": " c ", "label": 42, "group": "g1"}\n'
    assert parse_jsonl(text, "f.jsonl") == [LabelledText("a b", "T1"), LabelledText("c", "42", "g1")]
    assert parse_jsonl(to_jsonl(parse_jsonl(text, "f")), "f") == parse_jsonl(text, "f")


def test_jsonl_reports_every_bad_line_with_file_line_and_reason() -> None:
    text = "\n".join(
        [
            '{"text": "fine", "label": "A"}',
            "not json",
            '["a list"]',
            '{"text": "", "label": "A"}',
            '{"text": "x", "label": null}',
            '{"text": "x", "label": "A", "colour": "red"}',
            '{"text": "x", "label": "A", "group": []}',
        ]
    )
    with pytest.raises(DatasetError) as caught:
        parse_jsonl(text, "data.jsonl")
    assert [(e.line, e.reason.split(" (")[0]) for e in caught.value.errors] == [
        (2, "not valid JSON"),
        (3, 'expected a JSON object such as {"text": "...", "label": "..."}'),
        (4, "field 'text' must be a non-empty string"),
        (5, "field 'label' must be a non-empty string"),
        (6, "unknown field 'colour'"),
        (7, "field 'group' must be a string when present"),
    ]
    assert str(caught.value).startswith("data.jsonl:2: not valid JSON")
    with pytest.raises(DatasetError, match="empty"):
        parse_jsonl("\n\n", "e.jsonl")
    with pytest.raises(DatasetError, match="two different labels"):
        require_trainable([LabelledText("a", "A")], "one.jsonl")


def test_metrics_match_hand_computed_values() -> None:
    truth = ["a", "a", "b", "c"]
    ranked = [["a", "b"], ["b", "a"], ["b", "c"], ["a", "b"]]
    assert top_k_accuracy(truth, ranked, 1) == 0.5
    assert top_k_accuracy(truth, ranked, 2) == 0.75
    predicted = [r[0] for r in ranked]  # a b b a
    figures = per_label_figures(truth, predicted)
    assert (figures["a"].precision, figures["a"].recall, figures["a"].support) == (0.5, 0.5, 2)
    assert (figures["b"].precision, figures["b"].recall) == (0.5, 1.0)
    assert figures["b"].f1 == pytest.approx(2 / 3)
    assert (figures["c"].f1, figures["c"].support) == (0.0, 1)
    assert micro_f1(truth, predicted) == 0.5
    assert macro_f1(truth, predicted) == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    report = quality_report(truth, ranked)
    assert (report.top1, report.top5, report.n) == (0.5, 0.75, 4)


def test_auroc_counts_ties_half_and_needs_both_classes() -> None:
    assert auroc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert auroc([0.1, 0.2, 0.9, 0.8], [True, True, False, False]) == 0.0
    assert auroc([0.5, 0.5, 0.5, 0.1], [True, False, True, False]) == 0.75
    with pytest.raises(ValueError, match="positive and one negative"):
        auroc([0.1], [True])


def test_folds_never_split_a_group_and_fall_back_to_stratified() -> None:
    grouped = [LabelledText(f"t{i}", "AB"[i % 2], f"g{i // 3}") for i in range(30)]
    method, folds = make_folds(grouped)
    assert method == "group-k-fold"
    assert len(folds) == 5
    for train, test in folds:
        assert not {grouped[i].group for i in train} & {grouped[i].group for i in test}
    plain = [LabelledText(f"t{i}", "AB"[i % 2]) for i in range(20)]
    method, folds = make_folds(plain)
    assert method == "stratified-k-fold"
    assert sorted(i for _, test in folds for i in test) == list(range(20))


STEMS = {
    "exfil": ["exfiltrat", "smuggl", "leak", "upload"],
    "crypto": ["encrypt", "ransom", "lock", "extort"],
    "recon": ["scann", "prob", "enumerat", "map"],
    "phish": ["phish", "spoof", "lur", "impersonat"],
    "flood": ["flood", "overwhelm", "saturat", "throttl"],
    "persist": ["implant", "backdoor", "schedul", "autostart"],
}
SUFFIXES = [["ed", "ing"], ["er", "ers"], ["ion", "ions"], ["es", "e"], ["ings", "ment"]]
NOISE = ["the", "team", "reported", "server", "host", "tuesday", "network", "activity", "unusual", "again"]


def _inflected_set() -> list[LabelledText]:
    """Each group writes the labels' stems with its own endings: words seen in training rarely recur."""
    rng = random.Random(7)  # noqa: S311  # reproducible test data, not cryptography
    out = []
    for group, endings in enumerate(SUFFIXES):
        for label, stems in STEMS.items():
            for _i in range(4):
                words = [s + rng.choice(endings) for s in rng.sample(stems, 2)] + rng.sample(NOISE, 4)
                rng.shuffle(words)
                out.append(LabelledText(" ".join(words), label, f"g{group}"))
    return out


def test_product_beats_the_baseline_on_a_custom_label_set() -> None:
    comparison = cross_validate(_inflected_set())
    assert comparison.split == "group-k-fold"
    assert comparison.product.n == comparison.baseline.n == len(STEMS) * 4 * len(SUFFIXES)
    assert comparison.product.top1 >= comparison.baseline.top1 + 0.2
    assert comparison.product.macro_f1 >= comparison.baseline.macro_f1 + 0.2
    assert comparison.product.top5 >= comparison.baseline.top5
    data = comparison.as_dict()
    assert set(data) == {"split", "n_examples", "n_labels", "product", "baseline"}
    assert set(data["product"]["per_label"]) == set(STEMS)


def test_baseline_trains_on_the_reference_texts_the_product_gets() -> None:
    examples = [
        LabelledText("attacker poisoned the training images", "poison"),
        LabelledText("mislabelled samples were slipped into the dataset", "poison"),
        LabelledText("the model api was queried to copy the model", "extract"),
    ]
    # "evade" has no example, only a reference text: a fair baseline must still know the label
    references = {"evade": ["adversarial perturbation makes the detector miss the malware sample"]}
    without = BaselineClassifier().fit(examples)
    assert without.labels == ["extract", "poison"]
    fair = BaselineClassifier().fit(examples, label_texts=references)
    assert fair.labels == ["evade", "extract", "poison"]
    scores = fair.score_matrix(["adversarial perturbation made the detector miss malware", "poisoned images"])
    evade = fair.labels.index("evade")
    assert scores[0, evade] > scores[1, evade]
    assert scores[0, evade] > 1 / 3  # above an even share of belief
