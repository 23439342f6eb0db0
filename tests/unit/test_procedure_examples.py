"""The shipped ATLAS procedure sentences load and cover every technique; a broken file names its line."""

from __future__ import annotations

import pytest

from aisms.catalogue.errors import CatalogueError
from aisms.catalogue.loader import load_builtin
from aisms.catalogue.procedure_examples import load_builtin_procedures, parse_procedures

HEADER = """catalogue: atlas-procedures
version: "3"
title: "Test procedures"
source:
  publisher: "Tests"
  url: "https://example.invalid"
  licence: "test"
techniques:
"""


def test_every_shipped_atlas_technique_has_procedure_sentences_and_every_key_is_a_technique() -> None:
    procedures = load_builtin_procedures()
    techniques = {e.ref: e for e in load_builtin().of("atlas") if e.kind == "technique"}
    assert set(procedures.by_technique) == set(techniques)
    for ref, sentences in procedures.by_technique.items():
        wanted = 3 if techniques[ref].parent_uid else 8  # sub-techniques and parent techniques
        assert len(sentences) >= wanted, ref
        assert all(5 <= len(s.split()) <= 60 for s in sentences), ref
    assert len(procedures) == sum(len(s) for s in procedures.by_technique.values()) > 1000


def test_a_good_file_parses_and_whitespace_is_normalised() -> None:
    text = HEADER + '  AML.T0051:\n    - "The red team hid an instruction   in a support ticket."\n'
    procedures = parse_procedures(text, "p.yaml")
    assert procedures.version == "3"
    assert procedures.by_technique == {"AML.T0051": ("The red team hid an instruction in a support ticket.",)}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('  T0051:\n    - "The red team hid an instruction in a ticket."\n', "T0051"),
        ('  AML.T0051:\n    - "too short"\n', "AML.T0051"),
        ("  AML.T0051: []\n", "AML.T0051"),
        (
            '  AML.T0051:\n    - "The red team hid an instruction in a ticket."\n'
            '  AML.T0052:\n    - "The red team hid an instruction in a ticket."\n',
            "sentence repeated (first under AML.T0051)",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_the_technique(body: str, expected: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_procedures(HEADER + body, "p.yaml")
    assert str(raised.value).startswith("p.yaml, line ")
    assert expected in str(raised.value)
