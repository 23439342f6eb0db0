"""Group items that fit no known label into "emerging threat" candidates.

``cluster_novel`` is a pure function: TF-IDF word vectors of the items, average-linkage agglomerative
clustering on cosine distance with a similarity cut-off, and for each cluster the terms that weigh most
across its members. The intel app stores and reviews the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from aisms.domain.classify.datatypes import EmergingCluster
from aisms.domain.classify.text_features import clean_text

MAX_ITEMS = 5_000


def cluster_novel(
    items: Sequence[tuple[str, str]],
    *,
    min_similarity: float = 0.15,
    min_size: int = 2,
    key_terms: int = 6,
) -> list[EmergingCluster]:
    """Cluster ``(item_id, text)`` pairs; return clusters of ``min_size`` or more, largest first.

    Two groups merge while the mean cosine similarity between their members is at least
    ``min_similarity``. Key terms are the words and word pairs with the highest mean TF-IDF weight in
    the cluster, preferring terms shared by several members.
    """
    if len(items) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} items can be clustered at once")
    ids = [item_id for item_id, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    if len(items) < max(2, min_size):
        return []
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1)
    try:
        matrix = vectorizer.fit_transform([clean_text(text) for _, text in items])
    except ValueError:  # nothing but stop words
        return []
    dense = matrix.toarray()
    empty = ~dense.any(axis=1)
    dense[empty, 0] = 1e-9  # cosine distance is undefined for an all-zero row
    clustering = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1.0 - min_similarity
    )
    assignment = clustering.fit_predict(dense)
    terms = vectorizer.get_feature_names_out()
    clusters = []
    for cluster_id in sorted(set(assignment.tolist())):
        members = np.flatnonzero((assignment == cluster_id) & ~empty)
        if len(members) < min_size:
            continue
        block = dense[members]
        weight = block.mean(axis=0) * np.sqrt((block > 0).sum(axis=0))  # shared terms rank higher
        order = np.argsort(-weight, kind="stable")
        chosen: list[str] = []
        for index in order:
            if weight[index] <= 0 or len(chosen) >= key_terms:
                break
            term = str(terms[index])
            if any(term in other.split() or other in term.split() for other in chosen):
                continue
            chosen.append(term)
        centre = block.mean(axis=0)
        centre_norm = float(np.linalg.norm(centre))
        cohesion = float((block @ centre).mean() / centre_norm) if centre_norm > 0 else 0.0
        clusters.append(
            EmergingCluster(
                key_terms=tuple(chosen),
                member_ids=tuple(ids[i] for i in members.tolist()),
                cohesion=round(cohesion, 4),
            )
        )
    clusters.sort(key=lambda c: (-len(c.member_ids), c.member_ids))
    return clusters
