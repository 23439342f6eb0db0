"""The built-in technique classifier: trained from the stored catalogue and labelled examples.

Training data is every ATLAS technique and OWASP LLM/ML entry (names, our summaries, upstream ATLAS
descriptions, crosswalk links, the shipped procedure sentences, tactics) plus every LabelledExample (ATLAS
case-study steps and user-confirmed texts). The trained model is cached in
``AISMS_DATA_DIR/models/builtin/`` under a hash of exactly that data, so it is retrained only when the data
changes - for instance after a user confirms an example or an ATLAS import. Named custom models
(``aisms ai train --name``) live in ``AISMS_DATA_DIR/models/<name>/``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry, CatalogueLink, LabelledExample
from aisms.catalogue.model import Entry, Link, Relation
from aisms.catalogue.procedure_examples import load_builtin_procedures
from aisms.domain.access import Action
from aisms.domain.classify.catalogue_texts import (
    CLASSIFIED_CATALOGUES,
    builtin_config,
    is_classified,
    label_groups,
    label_texts,
    technique_label,
)
from aisms.domain.classify.datatypes import Classification, LabelledText
from aisms.domain.classify.model_store import FORMAT_VERSION, ModelStoreError
from aisms.domain.classify.technique_model import ModelConfig, TechniqueClassifier

BUILTIN = "builtin"
_NAME = re.compile(r"^[a-z0-9-]{1,40}$")
_HASH_FILE = "training-hash.txt"
_lock = threading.Lock()
_cache: dict[str, tuple[str, TechniqueClassifier]] = {}  # model dir -> (training hash, model)
MAX_FEEDBACK_CHARS = 5_000


@dataclass(frozen=True)
class TrainingData:
    examples: list[LabelledText]
    label_texts: dict[str, list[str]]
    names: dict[str, str]  # label uid -> entry name
    label_groups: dict[str, list[str]]  # label uid -> ATLAS tactic uids

    def digest(self, config: ModelConfig) -> str:
        payload = {
            "format": FORMAT_VERSION,
            "config": config.as_dict(),
            "examples": [[e.text, e.label, e.group] for e in self.examples],
            "label_texts": self.label_texts,
            "label_groups": self.label_groups,
        }
        # computed on every classification (is the cached model current?): orjson serialises the ~300 KB of
        # training text about ten times faster than json.dumps
        return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def model_dir(name: str) -> Path:
    """Directory of a named model; the name is checked so it can never leave the models directory."""
    if not _NAME.fullmatch(name):
        raise ValidationError({"name": ["a model name is 1-40 characters: a-z, 0-9 and '-'"]})
    return models_dir() / name


def _entries() -> tuple[list[Entry], list[Link]]:
    rows = list(
        CatalogueEntry.objects.filter(source__key__in=CLASSIFIED_CATALOGUES, withdrawn=False)
        .select_related("source", "parent")
        .order_by("uid")
    )
    entries = [
        Entry(
            uid=row.uid,
            catalogue=row.source.key,
            ref=row.ref,
            kind=row.kind,
            name=row.name,
            summary=row.summary,
            parent_uid=row.parent.uid if row.parent else None,
            attributes=dict(row.attributes),
        )
        for row in rows
    ]
    relations = (Relation.RELATED_TECHNIQUE.value, Relation.TACTIC.value)
    links = [
        Link(source_uid, target_uid, Relation(relation))
        for source_uid, target_uid, relation in CatalogueLink.objects.filter(relation__in=relations)
        .values_list("source__uid", "target__uid", "relation")
        .order_by("relation", "source__uid", "target__uid")
    ]
    return [e for e in entries if is_classified(e)], links


def training_data() -> TrainingData:
    entries, links = _entries()
    parents = {e.uid: e.parent_uid for e in entries}
    known = set(parents)
    examples = [
        LabelledText(text, technique_label(uid, parents), case_study or f"{origin}-{pk}")
        for pk, text, uid, origin, case_study in LabelledExample.objects.values_list(
            "pk", "text", "technique__uid", "origin", "case_study"
        ).order_by("pk")
        if uid in known
    ]
    names = {e.uid: e.name for e in entries}
    procedures = load_builtin_procedures().by_technique
    return TrainingData(
        examples, label_texts(entries, links, procedures), names, label_groups(entries, links)
    )


def builtin_model(config: ModelConfig | None = None) -> tuple[TechniqueClassifier, TrainingData]:
    """The built-in model for the current data: from memory, else from disk, else trained and saved."""
    model, data, _ = refresh_builtin_model(config)
    return model, data


def refresh_builtin_model(
    config: ModelConfig | None = None,
) -> tuple[TechniqueClassifier, TrainingData, bool]:
    """``builtin_model``, and whether it had to be trained (the stored data changed since it was saved).

    After feedback or an ATLAS import the job ``catalogue.retrain_classifier`` calls this, so the next
    classification usually finds the new model on disk instead of training it while a user waits."""
    data = training_data()
    config = config or builtin_config(len(data.examples))
    digest = data.digest(config)
    directory = models_dir() / BUILTIN
    key = str(directory)
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == digest:
            return cached[1], data, False
        model = None
        hash_file = directory / _HASH_FILE
        if hash_file.is_file() and hash_file.read_text(encoding="utf-8").strip() == digest:
            try:
                model = TechniqueClassifier.load(directory)
            except ModelStoreError:
                model = None  # damaged cache: train afresh
        trained = model is None
        if model is None:
            model = TechniqueClassifier(config).fit(
                data.examples, label_texts=data.label_texts, label_groups=data.label_groups
            )
            model.save(directory)
            hash_file.write_text(digest + "\n", encoding="utf-8")
        _cache[key] = (digest, model)
        return model, data, trained


def classify_text(text: str, k: int = 5) -> Classification:
    """Rank catalogue techniques for a text; labels are catalogue uids (``atlas:AML.T0051`` ...).

    Each prediction carries the entry's name for display.
    """
    return classify_texts([text], k=k)[0]


def classify_texts(texts: Sequence[str], k: int = 5, *, explain: bool = True) -> list[Classification]:
    """``classify_text`` for many texts: the model is looked up once and the texts scored in one batch
    (for callers with many items, such as the emerging-threat search after an ingest)."""
    if not texts:
        return []
    model, data = builtin_model()
    return [
        replace(result, ranked=tuple(replace(p, name=data.names.get(p.label, "")) for p in result.ranked))
        for result in model.classify_many(texts, k=k, explain=explain)
    ]


def entry_names(labels: list[str]) -> dict[str, str]:
    return dict(CatalogueEntry.objects.filter(uid__in=labels).values_list("uid", "name"))


def record_feedback(user: User, text: str, technique_uid: str, *, correct: bool) -> LabelledExample:
    """Store a text a user confirmed (``correct=True``) or corrected to ``technique_uid`` as an example.

    Either way the stored label is the technique the user says is right; it joins the training data. Once
    it is committed the retraining job is queued, so the next classification finds the model up to date
    (or, should it come first, retrains it itself).
    """
    from aisms.apps.catalogue.tasks import start_retraining  # the job module imports this one

    require(user, Action.EDIT)
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["the text is empty"]})
    if len(text) > MAX_FEEDBACK_CHARS:
        raise ValidationError({"text": [f"at most {MAX_FEEDBACK_CHARS} characters"]})
    entry = CatalogueEntry.objects.filter(uid=technique_uid, withdrawn=False).select_related("source").first()
    if entry is None or not is_classified(
        Entry(entry.uid, entry.source.key, entry.ref, entry.kind, entry.name, entry.summary)
    ):
        raise ValidationError({"technique": [f"{technique_uid!r} is not an ATLAS technique or OWASP entry"]})
    with transaction.atomic():
        example = LabelledExample.objects.create(
            technique=entry,
            text=text,
            origin="user",
            case_study_name=f"{'confirmed' if correct else 'corrected'} by {user.username}",
        )
        reason = f"{user.username} {'confirmed' if correct else 'corrected'} an example as {entry.uid}"
        transaction.on_commit(lambda: start_retraining(reason, user))
    return example


def load_named(name: str) -> TechniqueClassifier:
    return TechniqueClassifier.load(model_dir(name))


def clear_cache() -> None:
    with _lock:
        _cache.clear()


__all__ = [
    "BUILTIN",
    "TrainingData",
    "builtin_model",
    "classify_text",
    "classify_texts",
    "clear_cache",
    "entry_names",
    "load_named",
    "model_dir",
    "record_feedback",
    "refresh_builtin_model",
    "training_data",
]
