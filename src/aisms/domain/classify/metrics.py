"""Quality figures for ranked predictions: top-k accuracy, micro/macro F1, per-label figures, AUROC."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LabelFigures:
    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "support": self.support}


@dataclass(frozen=True)
class QualityReport:
    n: int
    top1: float
    top5: float
    micro_f1: float
    macro_f1: float
    per_label: dict[str, LabelFigures] = field(default_factory=dict)

    def as_dict(self, *, per_label: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "n": self.n,
            "top1": round(self.top1, 4),
            "top5": round(self.top5, 4),
            "micro_f1": round(self.micro_f1, 4),
            "macro_f1": round(self.macro_f1, 4),
        }
        if per_label:
            out["per_label"] = {
                label: {k: round(v, 4) if isinstance(v, float) else v for k, v in f.as_dict().items()}
                for label, f in sorted(self.per_label.items())
            }
        return out


def top_k_accuracy(truth: Sequence[str], ranked: Sequence[Sequence[str]], k: int) -> float:
    """Share of items whose true label is among the first ``k`` ranked labels."""
    if not truth:
        return 0.0
    return sum(t in list(r)[:k] for t, r in zip(truth, ranked, strict=True)) / len(truth)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def per_label_figures(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, LabelFigures]:
    """Precision, recall, F1 and support of every label that occurs as truth or prediction."""
    labels = sorted(set(truth) | set(predicted))
    out = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        out[label] = LabelFigures(precision, recall, _f1(precision, recall), tp + fn)
    return out


def micro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Micro-averaged F1 (for one label per item this equals accuracy)."""
    tp = sum(t == p for t, p in zip(truth, predicted, strict=True))
    fp = fn = len(truth) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return _f1(precision, recall)


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over every label that occurs as truth or prediction."""
    figures = per_label_figures(truth, predicted)
    return sum(f.f1 for f in figures.values()) / len(figures) if figures else 0.0


def quality_report(truth: Sequence[str], ranked: Sequence[Sequence[str]]) -> QualityReport:
    predicted = [r[0] if r else "" for r in ranked]
    return QualityReport(
        n=len(truth),
        top1=top_k_accuracy(truth, ranked, 1),
        top5=top_k_accuracy(truth, ranked, 5),
        micro_f1=micro_f1(truth, predicted),
        macro_f1=macro_f1(truth, predicted),
        per_label=per_label_figures(truth, predicted),
    )


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance a positive item scores above a negative one (ties count half)."""
    pairs = sorted(zip(scores, positive, strict=True), key=lambda item: item[0])
    n_pos = sum(1 for _, p in pairs if p)
    n_neg = len(pairs) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUROC needs at least one positive and one negative item")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):  # average ranks over ties
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        rank_sum += mean_rank * sum(1 for _, p in pairs[i : j + 1] if p)
        i = j + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
