"""The values that go into and come out of the text classifiers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledText:
    """One training or test example: a text, its label and an optional group (e.g. a case-study id).

    Examples that share a group are kept on the same side of every train/test split.
    """

    text: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Prediction:
    """One ranked label for a text.

    ``confidence`` is the model's share of belief in this label among all labels (0..1, summing to 1 over
    the full label set); ``evidence`` are the words of the text that pushed the score up the most, and
    ``example`` the most similar training text of this label, if the model has one.
    """

    label: str
    confidence: float
    evidence: tuple[str, ...]
    example: str = ""
    name: str = ""  # display name of the label, when the caller knows one (catalogue entry name)


@dataclass(frozen=True)
class Classification:
    """The ranked labels for one text, plus how poorly it fits every known label.

    ``novelty`` is in 0..1 (0: a label's model claims the text strongly; 1: no label's model claims it at
    all) and ``is_novel`` is ``novelty >= threshold`` for the model's configured threshold.
    """

    ranked: tuple[Prediction, ...]
    novelty: float
    is_novel: bool

    @property
    def top(self) -> Prediction | None:
        return self.ranked[0] if self.ranked else None


@dataclass(frozen=True)
class EmergingCluster:
    """A group of novel items that look alike: a candidate emerging threat for an analyst to review."""

    key_terms: tuple[str, ...]
    member_ids: tuple[str, ...]
    cohesion: float  # mean cosine similarity of the members to the cluster's centre (0..1)
