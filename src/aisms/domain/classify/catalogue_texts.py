"""Reference texts for the built-in technique classifier, drawn from the AI threat catalogues.

Labels are ATLAS parent techniques (a sub-technique's text and examples count for its parent, which is
what the quality benchmark measures) and OWASP LLM / ML entries. Each label's documents are its name and
our summary, the upstream ATLAS description when an import supplied one, its sub-techniques, the names
of the entries the OWASP crosswalk links it to, and the invented procedure sentences shipped for the
technique and its sub-techniques (``aisms.catalogue.procedure_examples``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aisms.catalogue.model import Entry, Link, Relation
from aisms.domain.classify.technique_model import ModelConfig

CLASSIFIED_CATALOGUES = ("atlas", "owasp-llm", "owasp-ml")

# The built-in model's settings. Its novelty threshold is calibrated on ATLAS case-study steps (out-of-fold,
# GroupKFold by case study, four different random quarters of the techniques hidden): at 0.80 about 20% of
# the steps of known techniques are flagged (0.793-0.803 over the four quarters; docs/classifier.md).
BUILTIN_CONFIG = ModelConfig(novelty_threshold=0.80)
# Trained on the catalogue texts alone (no ATLAS case studies imported yet), the model scores every text
# lower: 0.835 is where it flags 20% of known-technique steps (0.840-0.843 with the shipped texts alone,
# 0.827-0.830 with the upstream descriptions imported, four quarters of techniques hidden).
CATALOGUE_ONLY_CONFIG = ModelConfig(novelty_threshold=0.835)
CASE_STUDY_EXAMPLES = 100  # from this many labelled examples on, the case-study calibration applies


def builtin_config(n_examples: int) -> ModelConfig:
    """The settings of the built-in model for a training set with ``n_examples`` labelled examples."""
    return BUILTIN_CONFIG if n_examples >= CASE_STUDY_EXAMPLES else CATALOGUE_ONLY_CONFIG


def technique_label(uid: str, parents: Mapping[str, str | None]) -> str:
    """The label a catalogue uid is trained and scored as: its top-level parent for ATLAS techniques."""
    seen = {uid}
    while (parent := parents.get(uid)) is not None and parent not in seen:
        seen.add(parent)
        uid = parent
    return uid


def parent_ref(ref: str) -> str:
    """``AML.T0043.001`` -> ``AML.T0043`` (other identifiers are returned unchanged)."""
    parts = ref.split(".")
    return ".".join(parts[:2]) if ref.startswith("AML.T") and len(parts) > 2 else ref


def is_classified(entry: Entry) -> bool:
    if entry.catalogue == "atlas":
        return entry.kind == "technique"
    return entry.catalogue in CLASSIFIED_CATALOGUES


def label_texts(
    entries: Iterable[Entry],
    links: Iterable[Link] = (),
    procedures: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, list[str]]:
    """Map every classifiable label to its reference documents (see the module docstring).

    ``procedures`` maps an ATLAS reference (``AML.T0051.001``) to example sentences; each becomes one more
    document of the entry's label. References of entries not given are ignored.
    """
    usable = {e.uid: e for e in entries if is_classified(e)}
    parents = {uid: e.parent_uid for uid, e in usable.items()}
    texts: dict[str, list[str]] = {}
    for uid, entry in usable.items():
        label = technique_label(uid, parents)
        documents = texts.setdefault(label, [])
        parent = usable.get(entry.parent_uid or "")
        name = f"{parent.name}: {entry.name}" if parent else entry.name  # "LLM Prompt Injection: Indirect"
        documents.append(f"{name}. {entry.summary}".strip() if entry.summary else name)
        upstream = entry.attributes.get("upstream_description")
        if isinstance(upstream, str) and upstream.strip():
            documents.append(f"{name}. {upstream.strip()}")
        if procedures and entry.catalogue == "atlas":
            documents.extend(procedures.get(entry.ref, ()))
    for link in links:
        if link.relation is not Relation.RELATED_TECHNIQUE:
            continue
        source, target = usable.get(link.source_uid), usable.get(link.target_uid)
        if source is None or target is None:
            continue
        texts[technique_label(target.uid, parents)].append(source.name)
        texts[technique_label(source.uid, parents)].append(target.name)
    return {label: documents for label, documents in sorted(texts.items()) if documents}


def label_groups(entries: Iterable[Entry], links: Iterable[Link]) -> dict[str, list[str]]:
    """Each label's ATLAS tactics: a technique's own (a sub-technique's count for its parent), and for an
    OWASP entry the tactics of the ATLAS techniques the crosswalk links it to."""
    usable = {e.uid: e for e in entries if is_classified(e)}
    parents = {uid: e.parent_uid for uid, e in usable.items()}
    links = list(links)
    groups: dict[str, set[str]] = {}
    for link in links:
        if link.relation is Relation.TACTIC and link.source_uid in usable:
            groups.setdefault(technique_label(link.source_uid, parents), set()).add(link.target_uid)
    for link in links:
        if link.relation is not Relation.RELATED_TECHNIQUE:
            continue
        for one, other in ((link.source_uid, link.target_uid), (link.target_uid, link.source_uid)):
            entry = usable.get(one)
            if entry is not None and entry.catalogue != "atlas" and other in usable:
                tactics = groups.get(technique_label(other, parents), set())
                groups.setdefault(technique_label(one, parents), set()).update(tactics)
    return {label: sorted(tactics) for label, tactics in sorted(groups.items()) if tactics}


def display_names(entries: Iterable[Entry]) -> dict[str, str]:
    """Label -> name to show beside a prediction."""
    return {e.uid: e.name for e in entries if is_classified(e)}
