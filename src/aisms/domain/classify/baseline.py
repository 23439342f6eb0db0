"""The plain baseline every evaluation reports beside the product: TF-IDF words + logistic regression.

Default scikit-learn settings, trained on exactly the same documents as the product (the labelled examples
plus, when given, every label's reference texts as one document each), so the figures show what the
product's features, model and scoring buy, not what its extra training text buys.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.technique_model import LabelTexts, reference_documents


class BaselineClassifier:
    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer()
        self.model = LogisticRegression(max_iter=1000)
        self.labels: list[str] = []

    def fit(
        self, examples: Sequence[LabelledText], *, label_texts: LabelTexts | None = None
    ) -> BaselineClassifier:
        documents = [e.text for e in examples]
        targets = [e.label for e in examples]
        for label, texts in reference_documents(label_texts).items():
            documents.extend(texts)
            targets.extend([label] * len(texts))
        if len(set(targets)) < 2:
            raise ValueError("at least two different labels are needed to train the baseline")
        matrix = self.vectorizer.fit_transform(documents)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(matrix, targets)
        self.labels = [str(c) for c in self.model.classes_]
        return self

    def score_matrix(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Probability of every label in ``self.labels`` for every text."""
        return np.asarray(self.model.predict_proba(self.vectorizer.transform(list(texts))), dtype=np.float64)
