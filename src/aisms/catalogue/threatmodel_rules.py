"""Load the shipped threat-modelling rules (and any extra rule files) against the catalogue."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from aisms.catalogue.loader import load_builtin
from aisms.catalogue.model import Catalogue
from aisms.domain.threatmodel.analysis import Analysis, analyze
from aisms.domain.threatmodel.model import ThreatModel
from aisms.domain.threatmodel.rules import CatalogueRef, Rule, parse_rules

RULES_FILENAME = "threatmodel-rules.yaml"


def catalogue_refs(catalogue: Catalogue) -> dict[str, CatalogueRef]:
    """What rule checking and analysis need from the catalogue: each entry's uid, kind and name."""
    return {uid: CatalogueRef(uid, entry.kind, entry.name) for uid, entry in catalogue.entries.items()}


def builtin_rules_text() -> str:
    return resources.files("aisms.catalogue").joinpath("data", RULES_FILENAME).read_text(encoding="utf-8")


def load_builtin_rules(refs: dict[str, CatalogueRef]) -> list[Rule]:
    return parse_rules(builtin_rules_text(), RULES_FILENAME, refs)


def combine(builtin: list[Rule], extra: list[Rule]) -> list[Rule]:
    """Built-in rules plus extra ones; an extra rule with the id of a built-in rule replaces it."""
    extra_ids = {rule.id for rule in extra}
    return [rule for rule in builtin if rule.id not in extra_ids] + extra


class RuleEngine:
    """The shipped catalogue and rules, loaded once; analyses a model with optional extra rules."""

    def __init__(self, refs: dict[str, CatalogueRef], rules: list[Rule]) -> None:
        self.refs = refs
        self.rules = rules

    def parse_extra(self, text: str, filename: str, origin: str = "organisation") -> list[Rule]:
        return parse_rules(text, filename, self.refs, origin=origin)

    def rules_with(self, extra: list[Rule] | None = None) -> list[Rule]:
        return combine(self.rules, extra or [])

    def analyze(self, model: ThreatModel, extra: list[Rule] | None = None) -> Analysis:
        return analyze(model, self.rules_with(extra), self.refs)


@lru_cache(maxsize=1)
def builtin_engine() -> RuleEngine:
    refs = catalogue_refs(load_builtin())
    return RuleEngine(refs, load_builtin_rules(refs))
