"""The product's text classifier: TF-IDF word stems + character n-grams, a class-balanced linear SVM.

Training documents are the labelled examples plus, for each label, its reference texts (for the built-in
model: the technique's name, our summary, its sub-techniques, procedure sentences and the OWASP entries that
cite it), so a label with no example can still be predicted and rare labels are not drowned by common ones.
Labels may belong to groups (for the built-in model: ATLAS tactics); a second SVM learns the groups from the
same documents and each label's score gains a share of its groups' mean score, so a text that clearly
belongs to a tactic favours that tactic's techniques. That part is folded into the label weights: scoring
stays one sparse product. Scores are turned into confidences with a softmax; the top score also gives the
novelty (how poorly the text fits every label). Evidence for each ranked label is the words whose weights
pushed its score up the most and the most similar training example of that label.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from aisms.domain.classify.datatypes import Classification, LabelledText, Prediction
from aisms.domain.classify.text_features import FeatureSpace, stem, tokens

FloatArray = npt.NDArray[np.float64]
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS)
_EVIDENCE_POOL = 60  # strongest features examined when explaining a text
LabelTexts = Mapping[str, str | Sequence[str]]
LabelGroups = Mapping[str, Sequence[str]]  # label -> the groups it belongs to (ATLAS tactics)


@dataclass(frozen=True)
class ModelConfig:
    """The few knobs of the model (defaults chosen by case-study cross-validation, see docs/classifier.md)."""

    c: float = 1.0  # SVM regularisation (larger: fits the training texts more tightly)
    temperature: float = 0.1  # softmax temperature turning SVM scores into confidences
    novelty_threshold: float = 0.6  # novelty >= this flags a text (best score below -0.2)
    label_text_weight: float = 1.0  # weight of a reference text relative to one labelled example
    profile_weight: float = 1.0  # weight of the cosine similarity to the label's profile (centroid)
    group_weight: float = 0.2  # weight of the label's groups' (tactics') mean SVM score
    group_c: float = 0.5  # regularisation of the group SVM
    evidence_terms: int = 5

    def as_dict(self) -> dict[str, float | int]:
        return {
            "c": self.c,
            "temperature": self.temperature,
            "novelty_threshold": self.novelty_threshold,
            "label_text_weight": self.label_text_weight,
            "profile_weight": self.profile_weight,
            "group_weight": self.group_weight,
            "group_c": self.group_c,
            "evidence_terms": self.evidence_terms,
        }


class NotTrainedError(RuntimeError):
    pass


def _texts_of(value: str | Sequence[str]) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    return [t.strip() for t in items if t and t.strip()]


def reference_documents(label_texts: LabelTexts | None) -> dict[str, list[str]]:
    """Each label's non-empty reference texts, labels in sorted order (labels without text are left out)."""
    references = {label: _texts_of(v) for label, v in (label_texts or {}).items()}
    return {label: texts for label, texts in sorted(references.items()) if texts}


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    shifted = (scores - scores.max(axis=1, keepdims=True)) / temperature
    exp = np.exp(shifted)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result


def novelty_from_scores(scores: FloatArray) -> FloatArray:
    """0 when the best label's SVM score is +1 or more, 0.5 at 0, 1 at -1 or less."""
    result: FloatArray = np.clip((1.0 - scores.max(axis=1)) / 2.0, 0.0, 1.0)
    return result


def _one_vs_rest(
    matrix: csr_matrix, targets: Sequence[str], weights: Sequence[float], labels: list[str], c: float
) -> tuple[FloatArray, FloatArray]:
    """A class-balanced linear SVM: one weight row and intercept per label (rows follow ``labels``)."""
    svm = LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # many labels with one document each (a small catalogue) look like regression to sklearn
        warnings.filterwarnings("ignore", message="The number of unique classes", category=UserWarning)
        svm.fit(matrix, np.array(targets), sample_weight=np.array(weights))
    coef = np.asarray(svm.coef_, dtype=np.float64)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if len(labels) == 2:  # a binary SVM has one row: positive for labels[1]
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    return coef, intercept


def _group_scores(
    matrix: csr_matrix,
    targets: Sequence[str],
    weights: Sequence[float],
    labels: list[str],
    label_groups: LabelGroups,
    config: ModelConfig,
) -> tuple[FloatArray, FloatArray]:
    """Per label, the mean weights and intercept of its groups' SVMs (zero for a label without groups).

    The group SVM is trained on the same documents, each labelled with every group of its label.
    """
    rows: list[int] = []
    group_targets: list[str] = []
    group_weights: list[float] = []
    for i, (target, weight) in enumerate(zip(targets, weights, strict=True)):
        for group in label_groups.get(target, ()):
            rows.append(i)
            group_targets.append(group)
            group_weights.append(weight)
    groups = sorted(set(group_targets))
    coef = np.zeros((len(labels), matrix.shape[1]))
    intercept = np.zeros(len(labels))
    if len(groups) < 2:
        return coef, intercept
    group_coef, group_intercept = _one_vs_rest(
        matrix[rows], group_targets, group_weights, groups, config.group_c
    )
    index = {group: i for i, group in enumerate(groups)}
    for row, label in enumerate(labels):
        members = [index[g] for g in label_groups.get(label, ()) if g in index]
        if members:
            coef[row] = group_coef[members].mean(axis=0)
            intercept[row] = group_intercept[members].mean()
    return coef, intercept


def _profiles(matrix: csr_matrix, targets: npt.NDArray[np.str_], labels: list[str]) -> FloatArray:
    """Each label's profile: the L2-normalised mean of its training document vectors."""
    index = {label: i for i, label in enumerate(labels)}
    rows = np.array([index[t] for t in targets.tolist()])
    membership = csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(len(labels), len(rows))
    )
    sums = normalize(membership @ matrix)  # the mean and the sum point the same way
    return np.asarray(sums.toarray())


class TechniqueClassifier:
    """Fit on labelled texts (+ optional reference texts per label); rank labels for new texts."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.features: FeatureSpace | None = None
        self.labels: list[str] = []
        self.coef: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.profiles: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.intercept: FloatArray = np.zeros(0)
        self.examples: list[LabelledText] = []
        self.label_texts: dict[str, list[str]] = {}
        self._example_matrix: csr_matrix | None = None
        self._example_label_index: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._example_texts: list[str] = []
        self._weights: FloatArray = np.zeros((0, 0))

    # ---- training -------------------------------------------------------------------------------
    def fit(
        self,
        examples: Sequence[LabelledText],
        *,
        label_texts: LabelTexts | None = None,
        label_groups: LabelGroups | None = None,
    ) -> Self:
        references = reference_documents(label_texts)
        documents = [e.text for e in examples]
        targets = [e.label for e in examples]
        weights = [1.0] * len(examples)
        for label, texts in sorted(references.items()):
            documents.extend(texts)
            targets.extend([label] * len(texts))
            weights.extend([self.config.label_text_weight] * len(texts))
        labels = sorted(set(targets))
        if len(labels) < 2:
            raise ValueError("at least two different labels are needed to train a classifier")
        features = FeatureSpace.fit(documents)
        matrix = features.transform(documents)
        coef, intercept = _one_vs_rest(matrix, targets, weights, labels, self.config.c)
        profiles = _profiles(matrix, np.array(targets), labels)
        if label_groups and self.config.group_weight:
            group_coef, group_intercept = _group_scores(
                matrix, targets, weights, labels, label_groups, self.config
            )
            coef += self.config.group_weight * group_coef
            intercept += self.config.group_weight * group_intercept
        self._set_state(
            features,
            labels,
            coef.astype(np.float32),
            profiles.astype(np.float32),
            intercept,
            list(examples),
            references,
        )
        return self

    def _set_state(
        self,
        features: FeatureSpace,
        labels: list[str],
        coef: npt.NDArray[np.float32],
        profiles: npt.NDArray[np.float32],
        intercept: FloatArray,
        examples: list[LabelledText],
        label_texts: dict[str, list[str]],
    ) -> None:
        self.features, self.labels, self.coef, self.intercept = features, labels, coef, intercept
        self.profiles = profiles
        # score = SVM score + profile_weight * cosine(text, profile): one features x labels matrix
        combined = coef.astype(np.float64) + self.config.profile_weight * profiles.astype(np.float64)
        self._weights = np.ascontiguousarray(combined.T)
        self.examples, self.label_texts = examples, label_texts
        index = {label: i for i, label in enumerate(labels)}
        known = [e for e in examples if e.label in index]
        # stored transposed (features x examples) so scoring a batch is one sparse product
        self._example_matrix = features.transform([e.text for e in known]).T.tocsr() if known else None
        self._example_label_index = np.array([index[e.label] for e in known], dtype=np.int64)
        self._example_texts = [e.text for e in known]

    # ---- scoring --------------------------------------------------------------------------------
    def _require(self) -> FeatureSpace:
        if self.features is None:
            raise NotTrainedError("the classifier has not been trained or loaded")
        return self.features

    def decision_scores(self, texts: Sequence[str]) -> tuple[csr_matrix, FloatArray]:
        """The feature rows and the score of every label (columns follow ``self.labels``).

        The score is the SVM's decision value plus ``profile_weight`` times the cosine similarity to the
        label's profile (the normalised mean of its training documents).
        """
        features = self._require()
        rows = features.transform(texts)
        scores = np.asarray(rows @ self._weights) + self.intercept
        return rows, scores

    def score_matrix(self, texts: Sequence[str]) -> FloatArray:
        """Confidence of every label for every text (rows sum to 1)."""
        return softmax(self.decision_scores(texts)[1], self.config.temperature)

    def classify(self, text: str, k: int = 5) -> Classification:
        return self.classify_many([text], k=k)[0]

    def classify_many(
        self, texts: Sequence[str], k: int = 5, *, explain: bool = True
    ) -> list[Classification]:
        if not texts:
            return []
        rows, scores = self.decision_scores(texts)
        confidences = softmax(scores, self.config.temperature)
        novelty = novelty_from_scores(scores)
        k = max(1, min(k, len(self.labels)))
        top = np.argsort(-confidences, axis=1, kind="stable")[:, :k]
        similar = self._example_similarity(rows) if explain else None
        results = []
        for i, text in enumerate(texts):
            ranked = []
            chosen = [int(j) for j in top[i]]
            if explain:
                evidence = self._evidence(rows.getrow(i), chosen, tokens(text))
            else:
                evidence = [() for _ in chosen]
            for label_index, why in zip(chosen, evidence, strict=True):
                example = self._nearest_example(similar[i], label_index) if similar is not None else ""
                ranked.append(
                    Prediction(self.labels[label_index], float(confidences[i, label_index]), why, example)
                )
            is_novel = bool(novelty[i] >= self.config.novelty_threshold)
            results.append(Classification(tuple(ranked), float(novelty[i]), is_novel))
        return results

    # ---- explanations ---------------------------------------------------------------------------
    def _evidence(self, row: csr_matrix, label_indices: list[int], words: list[str]) -> list[tuple[str, ...]]:
        """For each label, the words (or word pairs) of the text that raised its score the most.

        A word feature counts for its own term; a character n-gram is shared among the text's words that
        contain it. Only positive contributions (tf-idf value x label weight) count.
        """
        features = self._require()
        n_word = features.n_word
        vocabulary = sorted(set(words) - STOP_WORDS)
        surface: dict[str, str] = {}  # word features are stems: show the text's own word for each
        for word in words:
            surface.setdefault(stem(word), word)
        contribution = np.maximum(row.data[:, None] * self._weights[np.ix_(row.indices, label_indices)], 0.0)
        strongest = contribution.max(axis=1)
        keep = np.flatnonzero(strongest > 0)
        if keep.size > _EVIDENCE_POOL:  # only the strongest features can make the top terms
            keep = keep[np.argpartition(-strongest[keep], _EVIDENCE_POOL)[:_EVIDENCE_POOL]]
        terms: dict[str, int] = {}
        term_rows: list[int] = []
        feature_cols: list[int] = []
        shares: list[float] = []
        for position, index in zip(keep.tolist(), row.indices[keep].tolist(), strict=True):
            if index < n_word:
                term = " ".join(surface.get(part, part) for part in features.word_terms[index].split())
                if all(part in STOP_WORDS for part in term.split()):
                    continue  # "of the" may score, but explains nothing
                holders = [term]
            else:
                gram = features.char_terms[index - n_word].strip()
                holders = [w for w in vocabulary if gram in w]
            for holder in holders:
                term_rows.append(terms.setdefault(holder, len(terms)))
                feature_cols.append(position)
                shares.append(1.0 / len(holders))
        if not terms:
            return [() for _ in label_indices]
        scores = np.zeros((len(terms), len(label_indices)))  # terms x labels
        np.add.at(scores, np.array(term_rows), contribution[feature_cols] * np.array(shares)[:, None])
        names = list(terms)
        out = []
        for column in range(len(label_indices)):
            chosen: list[str] = []
            for t in np.argsort(-scores[:, column], kind="stable").tolist():
                term = names[t]
                if scores[t, column] <= 0 or len(chosen) >= self.config.evidence_terms:
                    break
                if any(term in o.split() or o in term.split() for o in chosen):
                    continue
                chosen.append(term)
            out.append(tuple(chosen))
        return out

    def _example_similarity(self, rows: csr_matrix) -> FloatArray | None:
        if self._example_matrix is None:
            return None
        return np.asarray((rows @ self._example_matrix).toarray())

    def _nearest_example(self, similarity: FloatArray, label_index: int) -> str:
        mask = self._example_label_index == label_index
        if not mask.any():
            return ""
        candidates = np.where(mask)[0]
        best = candidates[int(np.argmax(similarity[candidates]))]
        return self._example_texts[int(best)] if similarity[best] > 0 else ""

    # ---- persistence ----------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        from aisms.domain.classify.model_store import save_model

        save_model(self, directory)

    @classmethod
    def load(cls, directory: Path) -> TechniqueClassifier:
        from aisms.domain.classify.model_store import load_model

        return load_model(directory)
