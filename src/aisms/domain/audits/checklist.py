"""Audit checklists generated from a scope: clauses and controls -> one question each, in catalogue order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aisms.domain.audits.programme import covers

CONTROL_PATTERN_FIELD = "{title}"


@dataclass(frozen=True)
class CatalogueItem:
    uid: str
    ref: str
    title: str
    kind: str  # "clause" or "control"
    position: int


@dataclass(frozen=True)
class QuestionBank:
    """Our own audit questions: one per clause or subclause, and a pattern for controls."""

    clauses: Mapping[str, str]  # clause uid -> question
    control_pattern: str  # with "{title}"
    excluded_control_pattern: str  # for controls the SoA excludes


@dataclass(frozen=True)
class ChecklistLine:
    uid: str
    ref: str
    title: str
    question: str
    position: int


def in_sentence(title: str) -> str:
    """A title inside a sentence: 'Secure coding' -> 'secure coding'; acronyms such as 'ICT' stay."""
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        return title[0].lower() + title[1:]
    return title


class ScopeError(ValueError):
    """A scoped uid that names no clause or control."""


def generate_checklist(
    scope_uids: Sequence[str],
    catalogue: Sequence[CatalogueItem],
    bank: QuestionBank,
    *,
    applicable: Mapping[str, bool] | None = None,
) -> list[ChecklistLine]:
    """One line per clause (the scoped clause and every subclause below it that has a question) and per
    scoped control; catalogue order, clauses first, no duplicates. Unknown uids raise ScopeError."""
    known = {c.uid for c in catalogue}
    unknown = [uid for uid in scope_uids if uid not in known]
    if unknown:
        raise ScopeError(f"not a clause or control: {', '.join(unknown)}")
    applicable = applicable or {}
    lines: list[ChecklistLine] = []
    ordered = sorted(catalogue, key=lambda c: (c.kind != "clause", c.position))
    for item in ordered:
        if not any(covers(uid, item.uid) for uid in scope_uids):
            continue
        if item.kind == "clause":
            question = bank.clauses.get(item.uid)
            if question is None:
                continue  # a heading clause: its subclauses carry the questions
        elif applicable.get(item.uid, True):
            question = bank.control_pattern.replace(CONTROL_PATTERN_FIELD, in_sentence(item.title))
        else:
            question = bank.excluded_control_pattern.replace(CONTROL_PATTERN_FIELD, in_sentence(item.title))
        lines.append(ChecklistLine(item.uid, item.ref, item.title, question, len(lines) + 1))
    return lines
