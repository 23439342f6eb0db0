"""Audit programme planning (clause 9.2.2): is every clause and applicable control audited within the
cycle, and the higher-risk ones every year?

A scoped uid covers itself and everything below it: scoping ``iso27001:2022:6.1`` covers 6.1.1 to 6.1.3.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ItemKind(StrEnum):
    CLAUSE = "clause"
    CONTROL = "control"


@dataclass(frozen=True)
class AuditableItem:
    uid: str
    ref: str
    title: str
    kind: ItemKind
    group: str  # clause number "4".."10", or the control theme
    high_risk: bool = False


@dataclass(frozen=True)
class ScheduledAudit:
    """An audit of the programme: the year it runs in (planned or actual) and the uids it scopes."""

    ref: str
    year: int
    uids: frozenset[str]
    cancelled: bool = False


@dataclass(frozen=True)
class ItemCoverage:
    item: AuditableItem
    years: tuple[int, ...]  # years of the cycle in which an audit covers it
    missing_years: tuple[int, ...]  # high-risk items: years without an audit

    @property
    def covered(self) -> bool:
        return bool(self.years) and not self.missing_years


@dataclass(frozen=True)
class CoverageCell:
    group: str
    year: int
    covered: int
    total: int

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0


@dataclass(frozen=True)
class ProgrammeCoverage:
    years: tuple[int, ...]
    items: tuple[ItemCoverage, ...]
    cells: tuple[CoverageCell, ...]  # group x year
    groups: tuple[str, ...]

    @property
    def uncovered(self) -> list[ItemCoverage]:
        """Items never audited in the cycle, and high-risk items missing a year."""
        return [c for c in self.items if not c.covered]

    @property
    def share_covered(self) -> float:
        return sum(1 for c in self.items if c.covered) / len(self.items) if self.items else 1.0

    def cell(self, group: str, year: int) -> CoverageCell:
        for cell in self.cells:
            if cell.group == group and cell.year == year:
                return cell
        raise KeyError((group, year))


def covers(scoped_uid: str, item_uid: str) -> bool:
    """Whether auditing scoped_uid covers item_uid (the same uid, or a parent clause of it)."""
    return item_uid == scoped_uid or item_uid.startswith(scoped_uid + ".")


def cycle_years(start_year: int, years: int) -> tuple[int, ...]:
    if years < 1:
        raise ValueError("a programme cycle lasts at least one year")
    return tuple(range(start_year, start_year + years))


def coverage(
    items: Sequence[AuditableItem], audits: Iterable[ScheduledAudit], years: Sequence[int]
) -> ProgrammeCoverage:
    """Which items each year's audits cover, and what the cycle still misses."""
    in_cycle = [a for a in audits if not a.cancelled and a.year in years]
    item_years: list[ItemCoverage] = []
    for item in items:
        hit = sorted({a.year for a in in_cycle if any(covers(uid, item.uid) for uid in a.uids)})
        missing = tuple(y for y in years if y not in hit) if item.high_risk else ()
        item_years.append(ItemCoverage(item, tuple(hit), missing))
    groups: list[str] = []
    for item in items:
        if item.group not in groups:
            groups.append(item.group)
    cells = []
    for group in groups:
        members = [c for c in item_years if c.item.group == group]
        for year in years:
            cells.append(CoverageCell(group, year, sum(1 for c in members if year in c.years), len(members)))
    return ProgrammeCoverage(tuple(years), tuple(item_years), tuple(cells), tuple(groups))


@dataclass(frozen=True)
class PlannedScope:
    year: int
    uids: list[str] = field(default_factory=list)


def suggest_plan(items: Sequence[AuditableItem], years: Sequence[int]) -> list[PlannedScope]:
    """A starting plan: high-risk items every year; the rest spread evenly over the cycle, keeping each
    group (clause or control theme) together where it fits, so that each year's audit is coherent."""
    plan = [PlannedScope(year) for year in years]
    if not plan:
        return plan
    for item in items:
        if item.high_risk:
            for scope in plan:
                scope.uids.append(item.uid)
    others = [i for i in items if not i.high_risk]
    per_year = -(-len(others) // len(plan))  # ceiling division
    for index, item in enumerate(others):
        plan[min(index // max(per_year, 1), len(plan) - 1)].uids.append(item.uid)
    return plan
