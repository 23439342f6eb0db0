"""CPE 2.3 formatted strings (NISTIR 7695) and matching a component's name against NVD match criteria.

A formatted string has 13 colon-separated parts: ``cpe:2.3:part:vendor:product:version:update:edition:
language:sw_edition:target_sw:target_hw:other``. Inside an attribute a backslash quotes the next
character (``\\:`` is a literal colon, ``\\*`` a literal asterisk); an unquoted ``*`` is ANY (alone) or a
multi-character wildcard (at either end), an unquoted ``?`` matches one character, and ``-`` alone is
NA (not applicable). Values compare case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from aisms.domain.posture.versions import Tri, VersionRange, compare, in_range

ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
ANY = "*"
NA = "-"
_PARTS = frozenset({"a", "o", "h", ANY})


class CpeError(ValueError):
    """A string that is not a CPE 2.3 formatted string; the message says why."""


@dataclass(frozen=True)
class Cpe:
    """A parsed CPE name. Each attribute keeps its formatted-string form (quoting included)."""

    part: str
    vendor: str
    product: str
    version: str
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in ATTRIBUTES)

    def formatted(self) -> str:
        return "cpe:2.3:" + ":".join(self.values())

    @property
    def vendor_text(self) -> str:
        return unquote(self.vendor)

    @property
    def product_text(self) -> str:
        return unquote(self.product)

    @property
    def version_text(self) -> str:
        return unquote(self.version)


def split_attributes(text: str) -> list[str]:
    """Split on colons that are not quoted by a backslash."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text):
                raise CpeError("a backslash at the end quotes nothing")
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


_UNQUOTED_ALLOWED = re.compile(r"^[A-Za-z0-9\-._*?]*$")


def _check_attribute(name: str, value: str) -> None:
    if value == "":
        raise CpeError(f"{name} is empty (use * for any value)")
    if value in (ANY, NA):
        return
    bare = re.sub(r"\\.", "", value)
    if not _UNQUOTED_ALLOWED.match(bare):
        raise CpeError(f"{name} {value!r} has a character that must be quoted with a backslash")
    inner = bare.strip("*")
    if "*" in inner:
        raise CpeError(f"{name} {value!r}: an unquoted * may only begin or end a value")


@lru_cache(maxsize=8192)
def parse_cpe(text: str) -> Cpe:
    """Parse a CPE 2.3 formatted string; raise CpeError naming the problem (cached: the same component
    and criteria names recur for every vulnerability)."""
    stripped = text.strip()
    if not stripped.lower().startswith("cpe:2.3:"):
        raise CpeError(f"{text!r} does not start with 'cpe:2.3:'")
    values = split_attributes(stripped[len("cpe:2.3:") :])
    if len(values) != len(ATTRIBUTES):
        raise CpeError(
            f"a CPE 2.3 name has {len(ATTRIBUTES)} attributes after 'cpe:2.3:', found {len(values)}"
        )
    if values[0].lower() not in _PARTS:
        raise CpeError(f"part must be a, o, h or *, found {values[0]!r}")
    for name, value in zip(ATTRIBUTES, values, strict=True):
        _check_attribute(name, value)
    return Cpe(*values)


def try_parse_cpe(text: str) -> Cpe | None:
    try:
        return parse_cpe(text)
    except CpeError:
        return None


def quote(value: str) -> str:
    """The formatted-string form of a literal value: every character other than letters, digits,
    '-', '.' and '_' is quoted with a backslash."""
    return "".join(char if re.match(r"[A-Za-z0-9\-._]", char) else "\\" + char for char in value)


def unquote(value: str) -> str:
    """The literal text of an attribute (quoting removed); ANY and NA stay as they are."""
    if value in (ANY, NA):
        return value
    return re.sub(r"\\(.)", r"\1", value)


def _pattern(criterion: str) -> re.Pattern[str]:
    """A regular expression for a criterion value with unquoted * and ? wildcards."""
    out = []
    index = 0
    while index < len(criterion):
        char = criterion[index]
        if char == "\\" and index + 1 < len(criterion):
            out.append(re.escape(criterion[index + 1]))
            index += 2
            continue
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def attribute_match(criterion: str, target: str) -> Tri:
    """Whether a target attribute value satisfies a criterion value.

    YES: ANY criterion, equal values or a wildcard that matches; NO: different values, or NA against
    a value; UNKNOWN: the target is ANY (it does not say) while the criterion asks for a value."""
    if criterion == ANY:
        return Tri.YES
    if criterion == NA:
        if target == NA:
            return Tri.YES
        return Tri.UNKNOWN if target == ANY else Tri.NO
    if target == ANY:
        return Tri.UNKNOWN
    if target == NA:
        return Tri.NO
    if "\\" not in criterion and "*" not in criterion and "?" not in criterion and "\\" not in target:
        return Tri.YES if criterion.lower() == target.lower() else Tri.NO
    bare = re.sub(r"\\.", "", criterion)
    if "*" in bare or "?" in bare:
        return Tri.YES if _pattern(criterion).match(unquote(target)) else Tri.NO
    return Tri.YES if unquote(criterion).lower() == unquote(target).lower() else Tri.NO


@dataclass(frozen=True)
class Criterion:
    """One NVD cpeMatch entry: a CPE name (possibly with wildcards) and optional version bounds."""

    cpe: Cpe
    bounds: VersionRange
    vulnerable: bool = True

    def describe(self) -> str:
        text = self.cpe.formatted()
        return f"{text} ({self.bounds.describe()})" if self.bounds.bounded else text


class CriterionError(ValueError):
    pass


def criterion_from_nvd(entry: dict[str, object]) -> Criterion:
    """Build a Criterion from an NVD 2.0 cpeMatch object (``criteria`` plus version bounds)."""
    raw = entry.get("criteria")
    if not isinstance(raw, str):
        raise CriterionError("a cpeMatch entry needs a 'criteria' string")
    try:
        cpe = parse_cpe(raw)
    except CpeError as exc:
        raise CriterionError(str(exc)) from exc

    def bound(key: str) -> str | None:
        value = entry.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    return Criterion(
        cpe=cpe,
        bounds=VersionRange(
            start_including=bound("versionStartIncluding"),
            start_excluding=bound("versionStartExcluding"),
            end_including=bound("versionEndIncluding"),
            end_excluding=bound("versionEndExcluding"),
        ),
        vulnerable=entry.get("vulnerable", True) is not False,
    )


@dataclass(frozen=True)
class CpeMatch:
    result: Tri  # YES: affected; UNKNOWN: possibly affected (the version could not be decided)
    criterion: Criterion
    reason: str


def _version_match(criterion: Criterion, version: str) -> tuple[Tri, str]:
    wanted = criterion.cpe.version
    if version in ("", ANY):
        if wanted == ANY and not criterion.bounds.bounded:
            return Tri.YES, "all versions are affected"
        return Tri.UNKNOWN, "the component's version is not recorded"
    if version == NA:
        return attribute_match(wanted, NA), "the component has no version (NA)"
    literal = unquote(version)
    if wanted != ANY:
        direct = attribute_match(wanted, version)
        exact = wanted != NA and "*" not in wanted and "?" not in wanted
        if direct is Tri.NO and exact and compare(literal, unquote(wanted)) == 0:
            direct = Tri.YES  # 4.2 and 4.2.0 name the same version
        if direct is not Tri.YES:
            return direct, f"version {literal} is not {unquote(wanted)}"
    if criterion.bounds.bounded:
        inside = in_range(literal, criterion.bounds)
        if inside is Tri.UNKNOWN:
            return Tri.UNKNOWN, f"version {literal} could not be compared with {criterion.bounds.describe()}"
        if inside is Tri.NO:
            return Tri.NO, f"version {literal} is outside {criterion.bounds.describe()}"
        return Tri.YES, f"version {literal} is within {criterion.bounds.describe()}"
    return Tri.YES, f"version {literal} is affected"


def match_cpe(component: Cpe, criterion: Criterion, *, version: str | None = None) -> CpeMatch:
    """Whether a component's CPE name falls under a match criterion.

    ``version`` overrides the CPE's version when the CPE does not carry one (its version is * or -)."""
    if not criterion.vulnerable:
        return CpeMatch(Tri.NO, criterion, "the criterion names a platform, not a vulnerable product")
    unknown: list[str] = []
    for name in ATTRIBUTES:
        if name == "version":
            continue
        result = attribute_match(getattr(criterion.cpe, name), getattr(component, name))
        if result is Tri.NO:
            return CpeMatch(Tri.NO, criterion, f"{name} differs")
        if result is Tri.UNKNOWN:
            unknown.append(name)
    own_version = component.version
    if own_version in (ANY, NA) and version:
        own_version = quote(version.strip())
    result, reason = _version_match(criterion, own_version)
    if result is Tri.NO:
        return CpeMatch(Tri.NO, criterion, reason)
    if unknown:
        return CpeMatch(
            Tri.UNKNOWN, criterion, f"{reason}; the component does not say its {', '.join(unknown)}"
        )
    return CpeMatch(result, criterion, reason)


def best_cpe_match(
    component: Cpe, criteria: list[Criterion], *, version: str | None = None
) -> CpeMatch | None:
    """The strongest match among the criteria (YES before UNKNOWN), or None when none matches."""
    best: CpeMatch | None = None
    for criterion in criteria:
        found = match_cpe(component, criterion, version=version)
        if found.result is Tri.YES:
            return found
        if found.result is Tri.UNKNOWN and best is None:
            best = found
    return best
