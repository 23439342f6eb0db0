"""Pure parts of the ISMS as code: slugs, deterministic YAML, problem lines."""

from __future__ import annotations

import yaml

from aisms.domain.isms_code.keys import SlugAllocator, join_key, slugify
from aisms.domain.isms_code.problems import ImportRefusedError, Problem
from aisms.domain.isms_code.yaml_format import HEADER, dump_yaml, manifest


def test_slugify_makes_short_ascii_words() -> None:
    assert slugify("Encrypt the S3 bucket (prod)!") == "encrypt-the-s3-bucket-prod"
    assert slugify("   ") == "item"
    assert len(slugify("x" * 200)) == 48


def test_slug_allocator_numbers_repeats() -> None:
    slugs = SlugAllocator()
    assert [slugs.allocate("a"), slugs.allocate("a"), slugs.allocate("b"), slugs.allocate("a")] == [
        "a",
        "a-2",
        "b",
        "a-3",
    ]
    assert join_key(["R-001", "encrypt"]) == "R-001/encrypt"


def test_dump_is_sorted_and_round_trips_text() -> None:
    data = {"b": [{"z": 1, "a": "two\nlines"}], "a": "x: y", "c": "trailing \nspace", "d": "2026-01-31"}
    text = dump_yaml(data)
    assert text.startswith(HEADER)
    assert text.index("\na:") < text.index("\nb:")
    assert "a: |" in text
    assert yaml.safe_load(text) == data
    assert dump_yaml(data) == text


def test_manifest_lists_files_sorted() -> None:
    meta = manifest(
        aisms_version="1.0",
        exported_at="2026-11-30T09:00:00+00:00",
        organisation="Helixa",
        files={"risks.yaml": ("ab", 3), "assets.yaml": ("cd", 2)},
    )
    assert [f["name"] for f in meta["files"]] == ["assets.yaml", "risks.yaml"]
    assert meta["format_version"] == 1


def test_problems_print_file_line_field_and_sort() -> None:
    later = Problem("risks.yaml", 9, "owner", "unknown user 'x'")
    first = Problem("assets.yaml", None, "", "not valid YAML")
    refused = ImportRefusedError([later, first])
    assert [str(p) for p in refused.problems] == [
        "assets.yaml: not valid YAML",
        "risks.yaml:9: owner: unknown user 'x'",
    ]
