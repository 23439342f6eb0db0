"""Evaluate the product's model and the baseline on the same splits.

Cross-validation keeps every group (e.g. a case study) on one side of each split, so no model is tested
on a text whose siblings it was trained on; files without groups get stratified k-fold splits. Both
models see exactly the same training and test items in every fold.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold, StratifiedKFold

from aisms.domain.classify.baseline import BaselineClassifier
from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.metrics import QualityReport, auroc, quality_report
from aisms.domain.classify.technique_model import LabelGroups, LabelTexts, ModelConfig, TechniqueClassifier

Folds = list[tuple[list[int], list[int]]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Comparison:
    """Product and baseline figures on the same split."""

    split: str  # "group-k-fold", "stratified-k-fold" or "held-out"
    folds: int
    n_examples: int
    n_labels: int
    product: QualityReport
    baseline: QualityReport

    def as_dict(self, *, per_label: bool = True) -> dict[str, object]:
        return {
            "split": {"method": self.split, "folds": self.folds},
            "n_examples": self.n_examples,
            "n_labels": self.n_labels,
            "product": self.product.as_dict(per_label=per_label),
            "baseline": self.baseline.as_dict(per_label=per_label),
        }


def make_folds(examples: Sequence[LabelledText], n_splits: int = 5, seed: int = 0) -> tuple[str, Folds]:
    """Group-aware folds when the examples carry groups, else stratified folds (fewer if data is small)."""
    labels = [e.label for e in examples]
    if any(e.group for e in examples):
        groups = [e.group or f"__item{i}" for i, e in enumerate(examples)]
        n = min(n_splits, len(set(groups)))
        if n < 2:
            raise ValueError("cross-validation needs at least two groups")
        splitter = GroupKFold(n_splits=n)
        split = splitter.split(np.zeros(len(labels)), labels, groups)
        return "group-k-fold", [(list(map(int, a)), list(map(int, b))) for a, b in split]
    largest = max(labels.count(label) for label in set(labels))
    n = min(n_splits, max(2, largest), len(labels))
    if n < 2:
        raise ValueError("cross-validation needs at least two examples")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # labels rarer than the number of folds
        stratified = StratifiedKFold(n_splits=n, shuffle=True, random_state=seed)
        split = stratified.split(np.zeros(len(labels)), labels)
        return "stratified-k-fold", [(list(map(int, a)), list(map(int, b))) for a, b in split]


def _ranked(labels: Sequence[str], scores: npt.NDArray[np.float64], k: int) -> list[list[str]]:
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [[labels[int(j)] for j in row] for row in order]


def cross_validate(
    examples: Sequence[LabelledText],
    *,
    label_texts: LabelTexts | None = None,
    label_groups: LabelGroups | None = None,
    config: ModelConfig | None = None,
    n_splits: int = 5,
    progress: Progress | None = None,
) -> Comparison:
    """Out-of-fold predictions of both models on every example, then one report per model."""
    method, folds = make_folds(examples, n_splits)
    truth: list[str] = []
    product_ranked: list[list[str]] = []
    baseline_ranked: list[list[str]] = []
    for done, (train_index, test_index) in enumerate(folds):
        train = [examples[i] for i in train_index]
        test = [examples[i] for i in test_index]
        if len({e.label for e in train}) < 2:
            continue
        product = TechniqueClassifier(config).fit(train, label_texts=label_texts, label_groups=label_groups)
        texts = [e.text for e in test]
        product_ranked += _ranked(product.labels, product.score_matrix(texts), 5)
        baseline = BaselineClassifier().fit(train, label_texts=label_texts)
        baseline_ranked += _ranked(baseline.labels, baseline.score_matrix(texts), 5)
        truth += [e.label for e in test]
        if progress:
            progress(done + 1, len(folds))
    return Comparison(
        split=method,
        folds=len(folds),
        n_examples=len(examples),
        n_labels=len({e.label for e in examples}),
        product=quality_report(truth, product_ranked),
        baseline=quality_report(truth, baseline_ranked),
    )


def held_out(
    model: TechniqueClassifier, test: Sequence[LabelledText], *, train: Sequence[LabelledText]
) -> Comparison:
    """Evaluate a trained model on a separate test set.

    The baseline is trained on ``train`` plus the model's own reference texts, the product's training data.
    """
    texts = [e.text for e in test]
    truth = [e.label for e in test]
    baseline = BaselineClassifier().fit(train, label_texts=model.label_texts)
    return Comparison(
        split="held-out",
        folds=1,
        n_examples=len(test),
        n_labels=len(set(truth)),
        product=quality_report(truth, _ranked(model.labels, model.score_matrix(texts), 5)),
        baseline=quality_report(truth, _ranked(baseline.labels, baseline.score_matrix(texts), 5)),
    )


@dataclass(frozen=True)
class NoveltyReport:
    auroc: float
    hidden_labels: tuple[str, ...]
    novel_items: int
    known_items: int
    flagged_novel: float  # share of hidden-label items flagged as novel (model's own threshold)
    flagged_known: float  # share of known-label items flagged as novel (model's own threshold)
    target_false_positive_rate: float = 0.2
    threshold_at_target: float = 1.0  # novelty a share target_false_positive_rate of known items reach
    flagged_novel_at_target: float = 0.0  # share of hidden-label items at or above that novelty

    def as_dict(self) -> dict[str, object]:
        return {
            "auroc": round(self.auroc, 4),
            "hidden_labels": len(self.hidden_labels),
            "novel_items": self.novel_items,
            "known_items": self.known_items,
            "flagged_novel": round(self.flagged_novel, 4),
            "flagged_known": round(self.flagged_known, 4),
            "target_false_positive_rate": self.target_false_positive_rate,
            "threshold_at_target": round(self.threshold_at_target, 4),
            "flagged_novel_at_target": round(self.flagged_novel_at_target, 4),
        }


def threshold_for_false_positive_rate(known_scores: Sequence[float], rate: float) -> float:
    """The lowest novelty threshold (flag when ``novelty >= threshold``) that flags at most ``rate`` of
    the known-label items; just above the highest known score when ties make every value flag more."""
    if not known_scores:
        return 1.0
    values = np.asarray(known_scores, dtype=np.float64)
    for candidate in np.unique(values):
        if float(np.mean(values >= candidate)) <= rate:
            return float(candidate)
    return float(np.nextafter(values.max(), np.inf))


def novelty_benchmark(
    examples: Sequence[LabelledText],
    *,
    label_texts: LabelTexts | None = None,
    label_groups: LabelGroups | None = None,
    config: ModelConfig | None = None,
    hidden_share: float = 0.25,
    seed: int = 0,
    n_splits: int = 5,
    target_false_positive_rate: float = 0.2,
) -> NoveltyReport:
    """Hide a share of the labels (examples and reference texts) from training; score the test folds.

    Items of hidden labels should get higher novelty than items of known labels (from unseen groups).
    Besides the flag rates at the model's threshold, the report gives the novelty that only
    ``target_false_positive_rate`` of the known-label items reach, and the share of hidden-label items
    that reach it: what a threshold set for that false-positive rate would catch.
    """
    labels = sorted({e.label for e in examples})
    count = max(1, round(len(labels) * hidden_share))
    hidden = set(random.Random(seed).sample(labels, count))  # noqa: S311  # reproducible choice, not crypto
    references = {k: v for k, v in (label_texts or {}).items() if k not in hidden}
    _, folds = make_folds(examples, n_splits)
    scores: list[float] = []
    is_novel: list[bool] = []
    flagged: list[bool] = []
    for train_index, test_index in folds:
        train = [examples[i] for i in train_index if examples[i].label not in hidden]
        if len({e.label for e in train} | set(references)) < 2:
            continue
        model = TechniqueClassifier(config).fit(train, label_texts=references, label_groups=label_groups)
        test = [examples[i] for i in test_index]
        results = model.classify_many([e.text for e in test], k=1, explain=False)
        scores += [r.novelty for r in results]
        flagged += [r.is_novel for r in results]
        is_novel += [e.label in hidden for e in test]
    novel_flags = [f for f, n in zip(flagged, is_novel, strict=True) if n]
    known_flags = [f for f, n in zip(flagged, is_novel, strict=True) if not n]
    known_scores = [s for s, n in zip(scores, is_novel, strict=True) if not n]
    novel_scores = [s for s, n in zip(scores, is_novel, strict=True) if n]
    threshold = threshold_for_false_positive_rate(known_scores, target_false_positive_rate)
    return NoveltyReport(
        auroc=auroc(scores, is_novel),
        hidden_labels=tuple(sorted(hidden)),
        novel_items=len(novel_flags),
        known_items=len(known_flags),
        flagged_novel=sum(novel_flags) / len(novel_flags) if novel_flags else 0.0,
        flagged_known=sum(known_flags) / len(known_flags) if known_flags else 0.0,
        target_false_positive_rate=target_false_positive_rate,
        threshold_at_target=threshold,
        flagged_novel_at_target=(
            sum(s >= threshold for s in novel_scores) / len(novel_scores) if novel_scores else 0.0
        ),
    )
