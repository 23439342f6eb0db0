"""Software version comparison that is robust to the version strings found in NVD and inventories.

A version is an optional epoch, a dotted numeric release (compared number by number, missing parts
count as 0, so 1.10 > 1.9 and 1.2 == 1.2.0) and a suffix. Pre-release suffixes (dev, alpha/a, beta/b,
rc/c/pre/preview, milestone/m, snapshot) sort before the release (2.0.0-rc1 < 2.0.0); any other suffix
(a patch letter as in OpenSSL 1.1.1k, post, p, sp, a distribution revision) sorts after it.
A string that is not a version ("latest", "", "n/a") does not parse: comparisons with it are unknown,
never silently equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering

_VERSION = re.compile(
    r"^[vV]?(?:(?P<epoch>\d+)[:!])?(?P<release>\d+(?:\.\d+)*)(?P<suffix>[A-Za-z0-9.\-_+~]*)$"
)
_TOKEN = re.compile(r"[A-Za-z]+|\d+")
_PRE_RELEASE = {
    "dev": 0,
    "snapshot": 0,
    "alpha": 1,
    "a": 1,
    "beta": 2,
    "b": 2,
    "milestone": 3,
    "m": 3,
    "pre": 4,
    "preview": 4,
    "c": 4,
    "rc": 4,
    "cr": 4,
}
_SINGLE_LETTER_PRE = {"a", "b", "c", "m"}  # pre-release only when a number follows (2.0a1, not 1.1.1a)


class Tri(StrEnum):
    """A three-valued answer: an unparsable version makes a range check unknown."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


SuffixToken = tuple[int, int, str]


@total_ordering
@dataclass(frozen=True)
class Version:
    text: str
    epoch: int
    release: tuple[int, ...]
    phase: int  # 0 = pre-release, 1 = release, 2 = after the release
    suffix: tuple[SuffixToken, ...]

    def _key(self) -> tuple[int, tuple[int, ...], int, tuple[SuffixToken, ...]]:
        release = self.release
        while len(release) > 1 and release[-1] == 0:
            release = release[:-1]
        return (self.epoch, release, self.phase, self.suffix)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.text


def _suffix_tokens(suffix: str) -> tuple[int, tuple[SuffixToken, ...]]:
    raw = _TOKEN.findall(suffix)
    if not raw:
        return 1, ()
    tokens: list[SuffixToken] = []
    for token in raw:
        if token.isdigit():
            tokens.append((0, int(token), ""))
        else:
            lowered = token.lower()
            rank = _PRE_RELEASE.get(lowered, 9)
            tokens.append((1, rank, lowered))
    first = raw[0].lower()
    followed_by_number = len(raw) > 1 and raw[1].isdigit()
    is_pre = first in _PRE_RELEASE and (first not in _SINGLE_LETTER_PRE or followed_by_number)
    if raw[0].isdigit():
        is_pre = False
    return (0 if is_pre else 2), tuple(tokens)


def parse_version(text: str) -> Version | None:
    """The version, or None when the text is not a version string."""
    cleaned = text.strip()
    match = _VERSION.match(cleaned)
    if match is None:
        return None
    phase, suffix = _suffix_tokens(match["suffix"])
    return Version(
        text=cleaned,
        epoch=int(match["epoch"] or 0),
        release=tuple(int(part) for part in match["release"].split(".")),
        phase=phase,
        suffix=suffix,
    )


def compare(a: str, b: str) -> int | None:
    """-1, 0 or 1 as a is older than, equal to or newer than b; None when either does not parse."""
    left, right = parse_version(a), parse_version(b)
    if left is None or right is None:
        return None
    return (left > right) - (left < right)


@dataclass(frozen=True)
class VersionRange:
    """The NVD bounds of a match criterion; a None bound is open."""

    start_including: str | None = None
    start_excluding: str | None = None
    end_including: str | None = None
    end_excluding: str | None = None

    @property
    def bounded(self) -> bool:
        return any((self.start_including, self.start_excluding, self.end_including, self.end_excluding))

    def describe(self) -> str:
        parts = []
        if self.start_including:
            parts.append(f">= {self.start_including}")
        if self.start_excluding:
            parts.append(f"> {self.start_excluding}")
        if self.end_including:
            parts.append(f"<= {self.end_including}")
        if self.end_excluding:
            parts.append(f"< {self.end_excluding}")
        return ", ".join(parts) or "any version"


def in_range(version: str, bounds: VersionRange) -> Tri:
    """Whether the version lies within the bounds; UNKNOWN when it or a bound does not parse."""
    checks: list[tuple[str | None, set[int]]] = [
        (bounds.start_including, {0, 1}),
        (bounds.start_excluding, {1}),
        (bounds.end_including, {-1, 0}),
        (bounds.end_excluding, {-1}),
    ]
    unknown = False
    for bound, allowed in checks:
        if not bound:
            continue
        result = compare(version, bound)
        if result is None:
            unknown = True
        elif result not in allowed:
            return Tri.NO
    return Tri.UNKNOWN if unknown else Tri.YES
