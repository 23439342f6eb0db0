"""`aisms ai`: train, evaluate and try text classifiers (the built-in technique model or custom ones)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aisms.domain.classify.jsonl_dataset import DatasetError, parse_jsonl, require_trainable


def _setup_django() -> None:
    from aisms.cli import _setup_django as setup

    setup()


def _load_examples(path: Path) -> tuple[list[Any] | None, str]:
    """The examples of a JSONL file, or None and an error message (nothing is saved on error)."""
    from django.conf import settings

    try:
        if path.stat().st_size > settings.AISMS_MAX_UPLOAD_BYTES:
            return None, f"{path}: larger than the {settings.AISMS_MAX_UPLOAD_BYTES} byte limit"
        return parse_jsonl(path.read_text(encoding="utf-8"), str(path)), ""
    except OSError as exc:
        return None, f"{path}: {exc.strerror}"
    except UnicodeDecodeError as exc:
        return None, f"{path}: not UTF-8 text (byte {exc.start})"
    except DatasetError as exc:
        return None, str(exc)


def _progress() -> Any:
    from tqdm import tqdm

    bar = tqdm(
        total=1, desc="Cross-validating", unit="fold", file=sys.stderr, disable=not sys.stderr.isatty()
    )

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def cmd_train(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from aisms.apps.catalogue.technique_classifier import model_dir
    from aisms.domain.classify.technique_model import TechniqueClassifier

    try:
        directory = model_dir(args.name)
    except ValidationError as exc:
        print(f"error: --name: {'; '.join(exc.messages)}", file=sys.stderr)
        return 2
    examples, error = _load_examples(Path(args.data))
    if examples is None:
        print(f"error: {error}\nNothing was saved.", file=sys.stderr)
        return 1
    try:
        require_trainable(examples, args.data)
    except DatasetError as exc:
        print(f"error: {exc}\nNothing was saved.", file=sys.stderr)
        return 1
    model = TechniqueClassifier().fit(examples)
    model.save(directory)
    labels = len(model.labels)
    if args.json:
        print(
            json.dumps(
                {"name": args.name, "examples": len(examples), "labels": labels, "path": str(directory)}
            )
        )
    else:
        print(
            f"Model {args.name!r} trained on {len(examples)} examples, {labels} labels; saved in {directory}"
        )
    return 0


def _table(report: dict[str, Any]) -> str:
    lines = ["model      top-1  top-5  micro-F1  macro-F1"]
    for name in ("product", "baseline"):
        r = report[name]
        lines.append(
            f"{name:<10} {r['top1']:.3f}  {r['top5']:.3f}  {r['micro_f1']:.3f}     {r['macro_f1']:.3f}"
        )
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from aisms.apps.catalogue.technique_classifier import load_named
    from aisms.domain.classify.evaluation import cross_validate, held_out
    from aisms.domain.classify.model_store import ModelStoreError

    examples, error = _load_examples(Path(args.data))
    if examples is None:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.name:
        try:
            model = load_named(args.name)
        except (ValidationError, ModelStoreError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            print(f"error: model {args.name!r}: {message}", file=sys.stderr)
            return 1
        if len({e.label for e in model.examples}) < 2:
            print(f"error: model {args.name!r} has no stored training examples", file=sys.stderr)
            return 1
        comparison = held_out(model, examples, train=model.examples)
    else:
        try:
            require_trainable(examples, args.data)
            bar, update = _progress()
            comparison = cross_validate(examples, n_splits=args.folds, progress=update)
            bar.close()
        except (DatasetError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    report = comparison.as_dict()
    report["model"] = args.name or None
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        sizes = f"{comparison.n_examples} examples, {comparison.n_labels} labels"
        print(f"{sizes}; {comparison.split} ({comparison.folds} folds)")
        print(_table(report))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from aisms.apps.catalogue import technique_classifier as service
    from aisms.domain.classify.model_store import ModelStoreError

    try:
        if args.name:
            result = service.load_named(args.name).classify(args.text, k=args.k)
        else:
            result = service.classify_text(args.text, k=args.k)
    except (ValidationError, ModelStoreError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 1
    if args.json:
        out = {
            "novelty": round(result.novelty, 4),
            "is_novel": result.is_novel,
            "ranked": [
                {
                    "label": p.label,
                    "name": p.name,
                    "confidence": round(p.confidence, 4),
                    "evidence": list(p.evidence),
                    "example": p.example,
                }
                for p in result.ranked
            ],
        }
        print(json.dumps(out, indent=2))
        return 0
    for p in result.ranked:
        name = f"  {p.name}" if p.name else ""
        print(f"{p.confidence:6.1%}  {p.label}{name}\n        evidence: {', '.join(p.evidence) or '-'}")
    flag = "  -> looks novel (fits no known label well)" if result.is_novel else ""
    print(f"novelty {result.novelty:.2f}{flag}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg] # argparse's own typing
    p = sub.add_parser("ai", help="text classifiers: map text to ATLAS/OWASP techniques, custom models")
    asub = p.add_subparsers(dest="ai_command", required=True)
    t = asub.add_parser("train", help='train a custom classifier from JSONL lines {"text", "label"}')
    t.add_argument("--data", required=True, help="JSONL file")
    t.add_argument("--name", default="custom", help="model name, a-z 0-9 - (default: custom)")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_train)
    e = asub.add_parser("eval", help="product model vs TF-IDF + logistic regression baseline")
    e.add_argument("--data", required=True, help="JSONL file (with --name: the test set)")
    e.add_argument("--name", help="evaluate this trained model on FILE instead of cross-validating")
    e.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_eval)
    c = asub.add_parser("classify", help="rank techniques (or a custom model's labels) for a text")
    c.add_argument("text")
    c.add_argument("--name", help="a custom model (default: the built-in technique model)")
    c.add_argument("-k", type=int, default=5, help="how many labels to show (default 5)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_classify)
