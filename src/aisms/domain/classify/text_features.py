"""Turn texts into TF-IDF vectors: stemmed word 1-2 grams plus character 3-5 grams inside word boundaries.

Words carry the meaning ("prompt injection", "model weights"). They are reduced to their Snowball stems,
so "valid account" matches "Valid Accounts" and "poisoning" matches "poisoned"; no stop words are
removed, because the English list drops words that matter here ("system", "found", "call"). Character
n-grams catch compounds and spellings the stems miss ("jailbreak"/"jailbroken") on short texts. Both use
sublinear term frequency; the two blocks are stacked and the row is L2-normalised, so a dot product of
two rows is their cosine similarity.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import snowballstemmer
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")  # <div style="...">, </span>: markup, not content
_TOKEN = re.compile(r"(?u)\b\w\w+\b")

_stemmers = threading.local()  # a Snowball stemmer object keeps state while it works: one per thread


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The English Snowball stem of a lower-case word ("poisoning" -> "poison")."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    result: str = stemmer.stemWord(word)
    return result


def word_terms(document: str) -> list[str]:
    """The word features of a (cleaned) document: its stems and each pair of adjacent stems."""
    stems = [stem(word) for word in _TOKEN.findall(document.lower())]
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]


WORD_PARAMS: dict[str, Any] = {"analyzer": word_terms, "sublinear_tf": True, "min_df": 1}
CHAR_PARAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (3, 5),
    "sublinear_tf": True,
    "lowercase": True,
    "min_df": 2,
}


def clean_text(text: str) -> str:
    """Keep the words of markdown links; drop bare URLs and HTML tags (their tokens are noise: a quoted
    prompt in a styled <div> would otherwise teach the model "font", "margin" and "px")."""
    return _URL.sub(" ", _MARKDOWN_LINK.sub(r"\1", _HTML_TAG.sub(" ", text)))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(clean_text(text).lower())


def _vectorizer(params: dict[str, Any]) -> TfidfVectorizer:
    return TfidfVectorizer(**params)


@dataclass
class FeatureSpace:
    """Two fitted TF-IDF vocabularies (word and char) and their IDF weights."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    word_terms: list[str]  # feature index -> term (word block first, then char block)
    char_terms: list[str]

    @classmethod
    def fit(cls, documents: Sequence[str]) -> FeatureSpace:
        cleaned = [clean_text(d) for d in documents]
        word = _vectorizer(WORD_PARAMS).fit(cleaned)
        char_params = dict(CHAR_PARAMS)
        if len(cleaned) < 4:  # a tiny corpus keeps every n-gram
            char_params["min_df"] = 1
        char = _vectorizer(char_params).fit(cleaned)
        return cls(word, char, _terms(word), _terms(char))

    @classmethod
    def from_state(
        cls,
        word_vocabulary: list[str],
        word_idf: npt.NDArray[np.float64],
        char_vocabulary: list[str],
        char_idf: npt.NDArray[np.float64],
    ) -> FeatureSpace:
        word = _vectorizer(WORD_PARAMS)
        word.vocabulary_ = {term: i for i, term in enumerate(word_vocabulary)}
        word.idf_ = word_idf
        char = _vectorizer(CHAR_PARAMS)
        char.vocabulary_ = {term: i for i, term in enumerate(char_vocabulary)}
        char.idf_ = char_idf
        return cls(word, char, list(word_vocabulary), list(char_vocabulary))

    @property
    def n_word(self) -> int:
        return len(self.word_terms)

    @property
    def n_features(self) -> int:
        return len(self.word_terms) + len(self.char_terms)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """The rows of ``texts``: what the two fitted vectorizers' ``transform`` gives, stacked and
        normalised, computed directly (scikit-learn's per-call input checks cost more than the work
        itself when one short text is classified at a time)."""
        cleaned = [clean_text(t) for t in texts]
        blocks = [
            _tfidf_rows(self.word, cleaned, word_terms),
            _tfidf_rows(self.char, cleaned, self._char_analyzer),
        ]
        result: csr_matrix = normalize(hstack(blocks, format="csr"))
        return result

    @cached_property
    def _char_analyzer(self) -> Callable[[str], list[str]]:
        analyzer: Callable[[str], list[str]] = self.char.build_analyzer()
        return analyzer

    def term(self, index: int) -> str:
        if index < self.n_word:
            return self.word_terms[index]
        return self.char_terms[index - self.n_word]


def _tfidf_rows(
    vectorizer: TfidfVectorizer, texts: Sequence[str], analyzer: Callable[[str], list[str]]
) -> csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised, over a fitted vectorizer's vocabulary (as its transform)."""
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    idf = np.asarray(vectorizer.idf_, dtype=np.float64)
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    for text in texts:
        row: dict[int, int] = {}
        for term in analyzer(text):
            index = vocabulary.get(term)
            if index is not None:
                row[index] = row.get(index, 0) + 1
        for index in sorted(row):
            indices.append(index)
            counts.append(row[index])
        indptr.append(len(indices))
    column = np.asarray(indices, dtype=np.int64)
    values = (np.log(np.asarray(counts, dtype=np.float64)) + 1.0) * idf[column] if indices else np.zeros(0)
    matrix = csr_matrix((values, column, np.asarray(indptr)), shape=(len(texts), len(idf)))
    result: csr_matrix = normalize(matrix)
    return result


def _terms(vectorizer: TfidfVectorizer) -> list[str]:
    ordered = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        ordered[int(index)] = str(term)
    return ordered
