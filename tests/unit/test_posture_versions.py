"""Version comparison and NVD version ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.posture.versions import Tri, VersionRange, compare, in_range, parse_version


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.9", "1.10"),
        ("2.0.0-rc1", "2.0.0"),
        ("2.0.0-alpha", "2.0.0-beta"),
        ("2.0.0-beta.2", "2.0.0-rc.1"),
        ("2.0a1", "2.0"),
        ("2.0.dev3", "2.0a1"),
        ("1.1.1", "1.1.1a"),
        ("1.1.1a", "1.1.1k"),
        ("1.0", "1.0.post1"),
        ("1.0.post1", "1.0.1"),
        ("4.2.7", "4.2.8"),
        ("0.2.16", "0.2.17"),
        ("1:0.9", "1:1.0"),
        ("9.9", "1:0.1"),
        ("v1.2.3", "1.2.4"),
        ("2.7.3", "2.10.0"),
    ],
)
def test_order(older: str, newer: str) -> None:
    assert compare(older, newer) == -1
    assert compare(newer, older) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("1.2", "1.2.0"), ("1.2.0.0", "1.2"), ("v3.1", "3.1"), ("1.0-RC1", "1.0rc1")]
)
def test_equal(a: str, b: str) -> None:
    assert compare(a, b) == 0


@pytest.mark.parametrize("text", ["", "latest", "n/a", "*", "1.2 beta", "abc1"])
def test_unparsable_is_unknown_not_equal(text: str) -> None:
    assert parse_version(text) is None
    assert compare(text, "1.0") is None
    assert in_range(text, VersionRange(start_including="1.0", end_excluding="2.0")) is Tri.UNKNOWN


def test_range_bounds() -> None:
    bounds = VersionRange(start_including="4.2", end_excluding="4.2.8")
    assert in_range("4.2", bounds) is Tri.YES
    assert in_range("4.2.7", bounds) is Tri.YES
    assert in_range("4.2.8", bounds) is Tri.NO
    assert in_range("4.1.99", bounds) is Tri.NO
    assert in_range("4.2.8-rc1", bounds) is Tri.YES  # a pre-release of the fix is still affected
    excl = VersionRange(start_excluding="1.0", end_including="1.5")
    assert in_range("1.0", excl) is Tri.NO
    assert in_range("1.5", excl) is Tri.YES
    assert in_range("1.5.1", excl) is Tri.NO
    assert in_range("9", VersionRange()) is Tri.YES


def test_unparsable_bound_is_unknown_unless_another_bound_excludes() -> None:
    assert in_range("1.0", VersionRange(start_including="1.0", end_excluding="next")) is Tri.UNKNOWN
    assert in_range("0.5", VersionRange(start_including="1.0", end_excluding="next")) is Tri.NO


parts = st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=4)


def _text(p: list[int]) -> str:
    return ".".join(str(n) for n in p)


@given(parts, parts, parts)
def test_version_inside_start_end_always_matches(a: list[int], b: list[int], c: list[int]) -> None:
    low, mid, high = sorted([a, b, c], key=lambda p: parse_version(_text(p)))  # type: ignore[arg-type,return-value]
    bounds = VersionRange(start_including=_text(low), end_excluding=_text(high))
    result = in_range(_text(mid), bounds)
    if compare(_text(mid), _text(high)) == -1:
        assert result is Tri.YES
    else:
        assert result is Tri.NO


@given(parts, parts, parts)
def test_comparison_is_a_consistent_order(a: list[int], b: list[int], c: list[int]) -> None:
    x, y, z = _text(a), _text(b), _text(c)
    assert compare(x, y) == -(compare(y, x) or 0)
    if compare(x, y) == -1 and compare(y, z) == -1:
        assert compare(x, z) == -1
    assert compare(x, x) == 0


suffixes = st.sampled_from(["", "-rc1", "-rc2", "a1", "b2", ".post1", "k", "-beta.3", ".dev1"])


@given(parts, suffixes, parts, suffixes)
def test_comparison_antisymmetric_with_suffixes(a: list[int], sa: str, b: list[int], sb: str) -> None:
    x, y = _text(a) + sa, _text(b) + sb
    assert compare(x, y) == -(compare(y, x) or 0)
