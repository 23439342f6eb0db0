"""Classification throughput of the technique classifier on one CPU core.

Trains the built-in-style model from the shipped catalogue (technique names, summaries, procedure
sentences and tactics, OWASP entries, crosswalk links), then classifies short texts (10-30 words, like a
CVE or MISP event summary) in batches and one at a time, with explanations. BLAS/OpenMP threads are
pinned to one.

    python bench/classifier_speed.py [--json]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402 - the thread limits must be set before numpy loads
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from aisms.catalogue.loader import load_builtin  # noqa: E402
from aisms.catalogue.procedure_examples import load_builtin_procedures  # noqa: E402
from aisms.domain.classify.catalogue_texts import label_groups, label_texts  # noqa: E402
from aisms.domain.classify.technique_model import TechniqueClassifier  # noqa: E402

SUBJECTS = ["An attacker", "A researcher", "The threat actor", "An insider", "A malicious user"]
ACTIONS = [
    "injected hidden instructions into a document read by the assistant",
    "queried the public model API thousands of times to copy its behaviour",
    "uploaded a backdoored model to a public model hub",
    "poisoned the training data with mislabelled images",
    "crafted adversarial examples that evade the malware classifier",
    "extracted personal data memorised by the language model",
    "jailbroke the chatbot to produce prohibited content",
    "abused the agent's tool access to delete cloud resources",
]
CONTEXTS = ["in production", "during a red-team exercise", "via the customer portal", "last quarter", ""]


def texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not cryptography
    return [f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(CONTEXTS)}".strip() for _ in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-n", type=int, default=3000)
    args = parser.parse_args()
    catalogue = load_builtin()
    entries = [e for key in ("atlas", "owasp-llm", "owasp-ml") for e in catalogue.of(key)]
    started = time.perf_counter()
    references = label_texts(entries, catalogue.links, load_builtin_procedures().by_technique)
    model = TechniqueClassifier().fit(
        [], label_texts=references, label_groups=label_groups(entries, catalogue.links)
    )
    train_s = time.perf_counter() - started
    sample = texts(args.n)
    model.classify_many(sample[:50])  # warm up
    started = time.perf_counter()
    for i in range(0, len(sample), 100):
        model.classify_many(sample[i : i + 100], k=5)
    batch_rate = len(sample) / (time.perf_counter() - started)
    single = sample[:300]
    started = time.perf_counter()
    for text in single:
        model.classify(text, k=5)
    single_rate = len(single) / (time.perf_counter() - started)
    out = {
        "labels": len(model.labels),
        "features": model.features.n_features if model.features else 0,
        "train_seconds": round(train_s, 2),
        "texts_per_second_batch_100": round(batch_rate),
        "texts_per_second_one_at_a_time": round(single_rate),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print("| measure | value |\n|---|---|")
    print(f"| labels / features | {out['labels']} / {out['features']} |")
    print(f"| training from the catalogue | {out['train_seconds']} s |")
    print(f"| texts/s, batches of 100, top-5 with evidence | {out['texts_per_second_batch_100']} |")
    print(f"| texts/s, one call per text | {out['texts_per_second_one_at_a_time']} |")
    return 0


if __name__ == "__main__":
    if status := main():  # bench/run.py runs this file in-process: exit only on failure
        sys.exit(status)
