"""The Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d): rows, problems, diffs and counts.

One row per ISO/IEC 27002:2022 control: the decision (included or excluded, and why), how far the control
is implemented, who owns it, and the risks and treatment actions that call for it. The calls are derived
from the treatment plan (never typed twice). Approving a version freezes its rows as a snapshot; snapshots
are compared field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SNAPSHOT_FORMAT = 1


class ImplementationStatus(StrEnum):
    NOT_STARTED = "not_started"
    PLANNED = "planned"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    IMPLEMENTED = "implemented"
    NOT_APPLICABLE = "not_applicable"  # never stored: what an excluded control shows

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[ImplementationStatus, str] = {
    ImplementationStatus.NOT_STARTED: "Not started",
    ImplementationStatus.PLANNED: "Planned",
    ImplementationStatus.PARTIALLY_IMPLEMENTED: "Partially implemented",
    ImplementationStatus.IMPLEMENTED: "Implemented",
    ImplementationStatus.NOT_APPLICABLE: "Not applicable",
}

# The statuses a decision may record; NOT_APPLICABLE follows from excluding the control.
RECORDED_STATUSES: tuple[ImplementationStatus, ...] = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.PLANNED,
    ImplementationStatus.PARTIALLY_IMPLEMENTED,
    ImplementationStatus.IMPLEMENTED,
)

# Recorded on an excluded control, these claim work on something the SoA says is not applicable.
_CLAIMS_IMPLEMENTATION = frozenset(
    {ImplementationStatus.PARTIALLY_IMPLEMENTED, ImplementationStatus.IMPLEMENTED}
)

THEMES: tuple[str, ...] = ("organizational", "people", "physical", "technological")
THEME_LABELS: dict[str, str] = {
    "organizational": "Organizational controls",
    "people": "People controls",
    "physical": "Physical controls",
    "technological": "Technological controls",
}


def theme_label(theme: str) -> str:
    return THEME_LABELS.get(theme, theme.capitalize())


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Control:
    """A control of the catalogue, in catalogue order."""

    uid: str  # e.g. iso27002:2022:5.7
    ref: str  # e.g. 5.7
    title: str
    theme: str


@dataclass(frozen=True)
class Decision:
    """What the organisation recorded for one control."""

    applicable: bool = True
    justification: str = ""
    status: ImplementationStatus = ImplementationStatus.NOT_STARTED
    owner: str | None = None  # user name
    owner_name: str | None = None  # for people: full name, else the user name
    notes: str = ""


@dataclass(frozen=True, order=True)
class ActionRef:
    """A treatment action (of a risk that is not closed) that lists a control."""

    risk_ref: str
    id: int
    title: str

    @property
    def label(self) -> str:
        return f"{self.risk_ref}: {self.title}"


# ------------------------------------------------------------------ rows


@dataclass(frozen=True)
class SoARow:
    control_uid: str
    ref: str
    title: str
    theme: str
    applicable: bool
    justification: str
    status: ImplementationStatus  # as recorded
    owner: str | None = None
    owner_name: str | None = None
    notes: str = ""
    risk_refs: tuple[str, ...] = ()
    actions: tuple[ActionRef, ...] = ()

    @property
    def effective_status(self) -> ImplementationStatus:
        """What the SoA states: not applicable when excluded, else the recorded status."""
        return self.status if self.applicable else ImplementationStatus.NOT_APPLICABLE

    @property
    def called_for(self) -> bool:
        return bool(self.actions)

    @property
    def applicability_label(self) -> str:
        return "Included" if self.applicable else "Excluded"


def derive_rows(
    controls: Sequence[Control],
    decisions: Mapping[str, Decision],
    calls: Mapping[str, Iterable[ActionRef]],
) -> list[SoARow]:
    """One row per control, in the given order. A control without a decision gets the default one
    (included, not started, no justification yet); risks are those of the actions that call for it."""
    rows = []
    for control in controls:
        decision = decisions.get(control.uid, Decision())
        actions = tuple(sorted(set(calls.get(control.uid, ()))))
        rows.append(
            SoARow(
                control_uid=control.uid,
                ref=control.ref,
                title=control.title,
                theme=control.theme,
                applicable=decision.applicable,
                justification=decision.justification.strip(),
                status=decision.status,
                owner=decision.owner,
                owner_name=decision.owner_name or decision.owner,
                notes=decision.notes,
                risk_refs=tuple(sorted({a.risk_ref for a in actions}, key=_ref_key)),
                actions=actions,
            )
        )
    return rows


def _ref_key(ref: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order for identifiers: R-2 before R-10, 5.9 before 5.10."""
    parts: list[tuple[int, int | str]] = []
    token = ""
    for char in ref + "\0":
        if char.isdigit():
            token += char
            continue
        if token:
            parts.append((0, int(token)))
            token = ""
        if char != "\0":
            parts.append((1, char))
    return tuple(parts)


# ------------------------------------------------------------------ problems


class ProblemKind(StrEnum):
    MISSING_JUSTIFICATION = "missing_justification"
    EXCLUDED_BUT_CALLED_FOR = "excluded_but_called_for"
    STATUS_ON_EXCLUDED = "status_on_excluded"


@dataclass(frozen=True)
class Problem:
    control_uid: str
    ref: str
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}"


def row_problems(row: SoARow) -> list[Problem]:
    """What an auditor would flag in this row (empty when nothing)."""
    found: list[tuple[ProblemKind, str]] = []
    if not row.justification.strip():
        decision = "including" if row.applicable else "excluding"
        found.append((ProblemKind.MISSING_JUSTIFICATION, f"no justification for {decision} the control"))
    if not row.applicable and row.actions:
        risks = ", ".join(row.risk_refs)
        found.append(
            (
                ProblemKind.EXCLUDED_BUT_CALLED_FOR,
                f"excluded, yet the treatment of {risks} calls for it "
                f"({len(row.actions)} action{'s' if len(row.actions) != 1 else ''})",
            )
        )
    if not row.applicable and row.status in _CLAIMS_IMPLEMENTATION:
        found.append(
            (
                ProblemKind.STATUS_ON_EXCLUDED,
                f"excluded, yet recorded as {row.status.label.lower()}",
            )
        )
    return [Problem(row.control_uid, row.ref, kind, message) for kind, message in found]


def problems(rows: Iterable[SoARow]) -> list[Problem]:
    """Every problem of every row, in row order."""
    return [problem for row in rows for problem in row_problems(row)]


# ------------------------------------------------------------------ snapshots


def row_to_dict(row: SoARow) -> dict[str, Any]:
    """A JSON-ready form of a row (what an approved version stores)."""
    return {
        "control": row.control_uid,
        "ref": row.ref,
        "title": row.title,
        "theme": row.theme,
        "applicable": row.applicable,
        "justification": row.justification,
        "status": row.status.value,
        "owner": row.owner,
        "owner_name": row.owner_name,
        "notes": row.notes,
        "risks": list(row.risk_refs),
        "actions": [{"id": a.id, "title": a.title, "risk": a.risk_ref} for a in row.actions],
    }


def row_from_dict(data: Mapping[str, Any]) -> SoARow:
    return SoARow(
        control_uid=str(data["control"]),
        ref=str(data["ref"]),
        title=str(data["title"]),
        theme=str(data["theme"]),
        applicable=bool(data["applicable"]),
        justification=str(data.get("justification", "")),
        status=ImplementationStatus(data["status"]),
        owner=data.get("owner"),
        owner_name=data.get("owner_name"),
        notes=str(data.get("notes", "")),
        risk_refs=tuple(str(r) for r in data.get("risks", [])),
        actions=tuple(
            ActionRef(risk_ref=str(a["risk"]), id=int(a["id"]), title=str(a["title"]))
            for a in data.get("actions", [])
        ),
    )


def snapshot(rows: Iterable[SoARow], **meta: Any) -> dict[str, Any]:
    """What approving a version freezes: the rows (with derived risks and actions) and some context."""
    return {"format": SNAPSHOT_FORMAT, **meta, "rows": [row_to_dict(row) for row in rows]}


def rows_from_snapshot(data: Mapping[str, Any]) -> list[SoARow]:
    if data.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"unknown SoA snapshot format {data.get('format')!r}")
    return [row_from_dict(item) for item in data.get("rows", [])]


# ------------------------------------------------------------------ diff

# The fields compared between versions, with how people name them.
DIFF_FIELDS: dict[str, str] = {
    "title": "Title",
    "theme": "Theme",
    "applicable": "Applicable",
    "justification": "Justification",
    "status": "Implementation status",
    "owner": "Owner",
    "notes": "Notes",
    "risk_refs": "Risks",
    "actions": "Treatment actions",
}


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ControlChange:
    control_uid: str
    ref: str
    title: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()

    def changed(self, name: str) -> bool:
        return any(change.field == name for change in self.fields)


def _comparable(row: SoARow, name: str) -> Any:
    if name == "status":
        return row.effective_status.value
    if name == "risk_refs":
        return list(row.risk_refs)
    if name == "actions":
        return [action.label for action in row.actions]
    return getattr(row, name)


def diff(old: Sequence[SoARow], new: Sequence[SoARow]) -> list[ControlChange]:
    """Per control: added, removed, or the fields that changed (status as the SoA states it)."""
    before = {row.control_uid: row for row in old}
    after = {row.control_uid: row for row in new}
    order = [row.control_uid for row in new] + [
        row.control_uid for row in old if row.control_uid not in after
    ]
    changes = []
    for uid in order:
        was, now = before.get(uid), after.get(uid)
        if was is None and now is not None:
            changes.append(ControlChange(uid, now.ref, now.title, ChangeKind.ADDED))
        elif now is None and was is not None:
            changes.append(ControlChange(uid, was.ref, was.title, ChangeKind.REMOVED))
        elif was is not None and now is not None:
            fields = tuple(
                FieldChange(name, label, _comparable(was, name), _comparable(now, name))
                for name, label in DIFF_FIELDS.items()
                if _comparable(was, name) != _comparable(now, name)
            )
            if fields:
                changes.append(ControlChange(uid, now.ref, now.title, ChangeKind.CHANGED, fields))
    return changes


# ------------------------------------------------------------------ counts


@dataclass(frozen=True)
class Summary:
    total: int
    included: int
    excluded: int
    called_for: int
    problems: int
    by_status: dict[ImplementationStatus, int] = field(default_factory=dict)
    by_theme: dict[str, dict[ImplementationStatus, int]] = field(default_factory=dict)

    @property
    def implemented_share(self) -> float:
        """Implemented controls as a share of the included ones (0.0 when none is included)."""
        if not self.included:
            return 0.0
        return self.by_status[ImplementationStatus.IMPLEMENTED] / self.included


def summarise(rows: Sequence[SoARow]) -> Summary:
    """Counts per status (as the SoA states it) overall and per theme; themes in the standard's order."""
    by_status = dict.fromkeys(ImplementationStatus, 0)
    themes = [t for t in THEMES if any(r.theme == t for r in rows)]
    themes += sorted({r.theme for r in rows} - set(THEMES))
    by_theme = {theme: dict.fromkeys(ImplementationStatus, 0) for theme in themes}
    for row in rows:
        by_status[row.effective_status] += 1
        by_theme[row.theme][row.effective_status] += 1
    included = sum(1 for row in rows if row.applicable)
    return Summary(
        total=len(rows),
        included=included,
        excluded=len(rows) - included,
        called_for=sum(1 for row in rows if row.called_for),
        problems=len(problems(rows)),
        by_status=by_status,
        by_theme=by_theme,
    )
