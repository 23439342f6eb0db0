"""Quality of the technique classifier on MITRE ATLAS case studies, split by case study.

Reads an upstream ATLAS distribution file (default: the dev subset at
/work/shared/reference/atlas/ATLAS-dev.yaml when present); every procedure step of every case study is a
labelled example, labels are parent techniques (AML.T0043.001 counts as AML.T0043). Five-fold GroupKFold
by case study: no model is ever tested on a step of a case study it was trained on. The product is
trained with the shipped catalogue's technique texts (summaries and procedure sentences) plus the file's
own technique descriptions; the baseline (default TF-IDF + logistic regression) on exactly the same
training texts; the product also learns the techniques' ATLAS tactics. Then a quarter of the techniques
is hidden from training to measure how well the novelty score separates their steps from known
techniques' steps.

    python bench/classifier_atlas.py [FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from aisms.catalogue.atlas_import import parse_atlas_distribution
from aisms.catalogue.loader import load_builtin
from aisms.catalogue.model import uid_for
from aisms.catalogue.procedure_examples import load_builtin_procedures
from aisms.domain.classify.catalogue_texts import BUILTIN_CONFIG, label_groups, label_texts, parent_ref
from aisms.domain.classify.datatypes import LabelledText
from aisms.domain.classify.evaluation import cross_validate, novelty_benchmark

DEFAULT_FILE = Path("/work/shared/reference/atlas/ATLAS-dev.yaml")


def load(path: Path) -> tuple[list[LabelledText], dict[str, list[str]], dict[str, list[str]]]:
    dist = parse_atlas_distribution(path.read_text(encoding="utf-8"), path.name)
    examples = [
        LabelledText(e.text, uid_for("atlas", parent_ref(e.technique_uid.split(":", 1)[1])), e.case_study)
        for e in dist.examples
    ]
    upstream = {e.uid: e.attributes.get("upstream_description") for e in dist.entries}
    catalogue = load_builtin()
    atlas = [
        replace(e, attributes={**e.attributes, "upstream_description": upstream.get(e.uid) or ""})
        for e in catalogue.of("atlas")
    ]
    references = label_texts(atlas, procedures=load_builtin_procedures().by_technique)
    return examples, references, label_groups(atlas, catalogue.links)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="an ATLAS distribution file (dist/ATLAS.yaml)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.file) if args.file else DEFAULT_FILE
    if not path.is_file():
        print(f"skipped: no ATLAS distribution file (pass one; {DEFAULT_FILE} not found)")
        return 0
    examples, references, groups = load(path)
    started = time.perf_counter()
    comparison = cross_validate(
        examples, label_texts=references, label_groups=groups, config=BUILTIN_CONFIG, n_splits=args.folds
    )
    novelty = novelty_benchmark(
        examples, label_texts=references, label_groups=groups, config=BUILTIN_CONFIG, n_splits=args.folds
    )
    elapsed = time.perf_counter() - started
    out = {
        "file": path.name,
        "case_studies": len({e.group for e in examples}),
        **comparison.as_dict(per_label=False),
        "novelty": novelty.as_dict(),
        "seconds": round(elapsed, 1),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"{path.name}: {out['case_studies']} case studies, {comparison.n_examples} steps, "
        f"{comparison.n_labels} parent techniques; {comparison.folds}-fold split by case study\n"
    )
    print("| model | top-1 | top-5 | micro-F1 | macro-F1 |\n|---|---|---|---|---|")
    for name, report in (
        ("aisms classifier", comparison.product),
        ("TF-IDF + LogReg baseline (same training texts)", comparison.baseline),
    ):
        figures = (report.top1, report.top5, report.micro_f1, report.macro_f1)
        print(f"| {name} | " + " | ".join(f"{x:.3f}" for x in figures) + " |")
    print(
        f"\nnovelty, {len(novelty.hidden_labels)} techniques hidden: AUROC {novelty.auroc:.3f}; flagged "
        f"{novelty.flagged_novel:.0%} of {novelty.novel_items} hidden-technique steps vs "
        f"{novelty.flagged_known:.0%} of {novelty.known_items} known-technique steps at the model's "
        f"threshold; a threshold at {novelty.threshold_at_target:.3f} (flags "
        f"{novelty.target_false_positive_rate:.0%} of known) flags {novelty.flagged_novel_at_target:.0%} "
        f"of hidden ({elapsed:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    if status := main():  # bench/run.py runs this file in-process: exit only on failure
        sys.exit(status)
