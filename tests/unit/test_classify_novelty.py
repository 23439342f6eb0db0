"""Novelty scores flag texts of unseen labels; emerging-threat clustering groups similar novel texts."""

from __future__ import annotations

import pytest

from aisms.domain.classify.evaluation import novelty_benchmark, threshold_for_false_positive_rate
from aisms.domain.classify.metrics import auroc
from aisms.domain.classify.novelty import cluster_novel
from aisms.domain.classify.technique_model import TechniqueClassifier
from tests.unit.classify_samples import NOVEL_TOPICS, TOPICS, make_set


def test_texts_of_unseen_labels_score_far_more_novel_than_known_ones() -> None:
    model = TechniqueClassifier().fit(make_set(TOPICS, seed=1))
    known = make_set(TOPICS, per_label=4, seed=2)
    novel = make_set(NOVEL_TOPICS, per_label=8, seed=3)
    results = model.classify_many([e.text for e in known + novel], k=1, explain=False)
    scores = [r.novelty for r in results]
    positive = [False] * len(known) + [True] * len(novel)
    assert auroc(scores, positive) > 0.8
    flagged_novel = sum(r.is_novel for r in results[len(known) :]) / len(novel)
    flagged_known = sum(r.is_novel for r in results[: len(known)]) / len(known)
    assert flagged_novel >= 0.8
    assert flagged_known <= 0.1


def test_novelty_benchmark_hides_labels_and_reports_auroc() -> None:
    report = novelty_benchmark(make_set({**TOPICS, **NOVEL_TOPICS}), hidden_share=0.2, seed=0)
    assert len(report.hidden_labels) == 2
    assert report.novel_items == 20
    assert report.known_items == 80
    assert report.auroc > 0.8
    assert report.flagged_novel > report.flagged_known
    # a threshold that flags at most 20% of the known items still flags most of the hidden ones
    assert report.target_false_positive_rate == 0.2
    assert report.flagged_novel_at_target >= 0.8
    assert report.as_dict()["threshold_at_target"] == round(report.threshold_at_target, 4)


def test_threshold_for_a_false_positive_rate_flags_at_most_that_share_of_known_items() -> None:
    known = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert threshold_for_false_positive_rate(known, 0.2) == 0.9  # flags 0.9 and 1.0
    assert threshold_for_false_positive_rate(known, 0.25) == 0.9
    assert threshold_for_false_positive_rate(known, 1.0) == 0.1
    # ties: every known item has the same score, so only a value above it flags none
    tied = threshold_for_false_positive_rate([0.0] * 8, 0.2)
    assert tied > 0.0
    assert sum(s >= tied for s in [0.0] * 8) == 0
    assert threshold_for_false_positive_rate([], 0.2) == 1.0


def test_clustering_groups_similar_novel_texts_with_their_key_terms() -> None:
    items = [
        ("n1", "deepfake voice of the chief executive asked finance to wire money"),
        ("n2", "cloned deepfake voice of a director requested an urgent wire transfer"),
        ("n3", "finance received a call with the deepfake voice of the executive"),
        ("n4", "harvest now decrypt later collection of encrypted traffic for quantum computers"),
        ("n5", "adversaries store encrypted traffic to decrypt later with quantum computers"),
        ("n6", "the office coffee machine was replaced"),
    ]
    clusters = cluster_novel(items)
    assert [sorted(c.member_ids) for c in clusters] == [["n1", "n2", "n3"], ["n4", "n5"]]
    assert {"deepfake", "voice"} <= set(clusters[0].key_terms)
    assert {"quantum", "decrypt", "traffic"} <= set(clusters[1].key_terms)
    assert "coffee" not in {t for c in clusters for t in c.key_terms}
    assert all(0 < c.cohesion <= 1 for c in clusters)


def test_clustering_edge_cases() -> None:
    assert cluster_novel([]) == []
    assert cluster_novel([("a", "one lonely text")]) == []
    assert cluster_novel([("a", "the and of"), ("b", "to be or")]) == []
    with pytest.raises(ValueError, match="unique"):
        cluster_novel([("a", "x y"), ("a", "x y")])
