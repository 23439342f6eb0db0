"""CPE 2.3 formatted strings: parsing with quoting, attribute matching and NVD match criteria."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisms.domain.posture.cpe import (
    ANY,
    NA,
    CpeError,
    Criterion,
    CriterionError,
    attribute_match,
    best_cpe_match,
    criterion_from_nvd,
    match_cpe,
    parse_cpe,
    quote,
    split_attributes,
    unquote,
)
from aisms.domain.posture.versions import Tri

DJANGO = "cpe:2.3:a:djangoproject:django:4.2.7:*:*:*:*:*:*:*"


def test_parse_formatted_string() -> None:
    cpe = parse_cpe(DJANGO)
    assert (cpe.part, cpe.vendor, cpe.product, cpe.version, cpe.update) == (
        "a",
        "djangoproject",
        "django",
        "4.2.7",
        ANY,
    )
    assert cpe.formatted() == DJANGO


def test_quoted_colon_is_not_a_separator() -> None:
    cpe = parse_cpe(r"cpe:2.3:a:acme\:labs:widget\!pro:1.0:*:*:*:*:*:*:*")
    assert cpe.vendor == r"acme\:labs"
    assert cpe.vendor_text == "acme:labs"
    assert cpe.product_text == "widget!pro"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cpe:/a:apache:airflow:2.7.3", "does not start"),
        ("cpe:2.3:a:apache:airflow:2.7.3", "11 attributes"),
        ("cpe:2.3:x:apache:airflow:2.7.3:*:*:*:*:*:*:*", "part must be"),
        ("cpe:2.3:a:apache::2.7.3:*:*:*:*:*:*:*", "product is empty"),
        ("cpe:2.3:a:apache:air flow:2.7.3:*:*:*:*:*:*:*", "must be quoted"),
        ("cpe:2.3:a:apache:air*flow:2.7.3:*:*:*:*:*:*:*", "may only begin or end"),
        ("cpe:2.3:a:apache:airflow:2.7.3:*:*:*:*:*:*:\\", "quotes nothing"),
    ],
)
def test_parse_errors_say_why(text: str, message: str) -> None:
    with pytest.raises(CpeError, match=message):
        parse_cpe(text)


def test_attribute_match_rules() -> None:
    assert attribute_match(ANY, "x") is Tri.YES
    assert attribute_match(ANY, NA) is Tri.YES
    assert attribute_match(NA, NA) is Tri.YES
    assert attribute_match(NA, "x") is Tri.NO
    assert attribute_match(NA, ANY) is Tri.UNKNOWN
    assert attribute_match("x", ANY) is Tri.UNKNOWN
    assert attribute_match("x", NA) is Tri.NO
    assert attribute_match("Django", "django") is Tri.YES
    assert attribute_match("djang?", "django") is Tri.YES
    assert attribute_match("4.2*", "4.2.7") is Tri.YES
    assert attribute_match("4.2*", "4.3") is Tri.NO
    assert attribute_match(r"4.2\*", "4.2.7") is Tri.NO  # a quoted * is a literal asterisk


def _criterion(criteria: str, **bounds: str) -> Criterion:
    return criterion_from_nvd({"criteria": criteria, "vulnerable": True, **bounds})


def test_version_range_criterion() -> None:
    crit = _criterion(
        "cpe:2.3:a:djangoproject:django:*:*:*:*:*:*:*:*",
        versionStartIncluding="4.2",
        versionEndExcluding="4.2.8",
    )
    assert match_cpe(parse_cpe(DJANGO), crit).result is Tri.YES
    fixed = parse_cpe("cpe:2.3:a:djangoproject:django:4.2.8:*:*:*:*:*:*:*")
    assert match_cpe(fixed, crit).result is Tri.NO
    other = parse_cpe("cpe:2.3:a:pallets:flask:2.0:*:*:*:*:*:*:*")
    assert match_cpe(other, crit).result is Tri.NO


def test_exact_version_criterion_and_equivalent_spelling() -> None:
    crit = _criterion("cpe:2.3:a:nginx:nginx:1.24:*:*:*:*:*:*:*")
    assert match_cpe(parse_cpe("cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:*"), crit).result is Tri.YES
    assert match_cpe(parse_cpe("cpe:2.3:a:nginx:nginx:1.25.0:*:*:*:*:*:*:*"), crit).result is Tri.NO


def test_component_without_version_is_a_possible_match_not_a_certain_one() -> None:
    crit = _criterion("cpe:2.3:a:apache:airflow:*:*:*:*:*:*:*:*", versionEndExcluding="2.8.1")
    unknown = parse_cpe("cpe:2.3:a:apache:airflow:*:*:*:*:*:*:*:*")
    assert match_cpe(unknown, crit).result is Tri.UNKNOWN
    # ... but the component's own version field decides when the CPE has none
    assert match_cpe(unknown, crit, version="2.7.3").result is Tri.YES
    assert match_cpe(unknown, crit, version="2.8.1").result is Tri.NO


def test_unparsable_version_is_flagged_possible() -> None:
    crit = _criterion("cpe:2.3:a:apache:airflow:*:*:*:*:*:*:*:*", versionEndExcluding="2.8.1")
    odd = parse_cpe("cpe:2.3:a:apache:airflow:nightly:*:*:*:*:*:*:*")
    found = match_cpe(odd, crit)
    assert found.result is Tri.UNKNOWN
    assert "could not be compared" in found.reason


def test_platform_criteria_do_not_match() -> None:
    crit = criterion_from_nvd(
        {"criteria": "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", "vulnerable": False}
    )
    assert match_cpe(parse_cpe("cpe:2.3:o:linux:linux_kernel:6.1:*:*:*:*:*:*:*"), crit).result is Tri.NO


def test_target_sw_mismatch_and_best_match() -> None:
    node = _criterion("cpe:2.3:a:acme:lib:*:*:*:*:*:node.js:*:*", versionEndExcluding="3")
    python = _criterion("cpe:2.3:a:acme:lib:*:*:*:*:*:python:*:*", versionEndExcluding="3")
    component = parse_cpe("cpe:2.3:a:acme:lib:2.0:*:*:*:*:python:*:*")
    assert match_cpe(component, node).result is Tri.NO
    best = best_cpe_match(component, [node, python])
    assert best is not None
    assert best.criterion is python
    assert best.result is Tri.YES


def test_bad_criterion() -> None:
    with pytest.raises(CriterionError):
        criterion_from_nvd({"criteria": "not a cpe"})
    with pytest.raises(CriterionError):
        criterion_from_nvd({})


literal = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)


@given(literal)
def test_quote_unquote_round_trip(value: str) -> None:
    quoted = quote(value)
    assert unquote(quoted) == value
    # a quoted value is one attribute: it never splits on its colons
    assert split_attributes(quoted) == [quoted]


@given(literal, literal)
def test_matching_a_quoted_literal_against_itself(vendor: str, product: str) -> None:
    text = f"cpe:2.3:a:{quote(vendor)}:{quote(product)}:1.0:*:*:*:*:*:*:*"
    cpe = parse_cpe(text)
    assert (cpe.vendor_text, cpe.product_text) == (vendor, product)
    crit = criterion_from_nvd({"criteria": text, "vulnerable": True})
    assert match_cpe(cpe, crit).result is Tri.YES
