"""FAIR Monte Carlo benchmark: aisms's engine and pyfair side by side on one 20-risk portfolio, then
1,000 risks x 100,000 runs (time and peak memory, measured in a child process of its own).

Both sides get the same inputs: full FAIR trees (TEF, vulnerability, primary loss, secondary loss
event frequency and magnitude), all beta-PERT because pyfair has no lognormal. pyfair's PERT keeps
the PERT mean but sets the beta's spread by moments (standard deviation = range / 6) where aisms
uses the standard lambda = 4 beta-PERT, so means agree up to sampling error and the tails differ
slightly. Each pyfair model gets its own seed: by default pyfair reseeds numpy's global generator
with 42 for every model, so models with the same inputs would draw exactly the same numbers.

Needs pyfair (`pip install -e ".[bench]"`). Run: `python bench/fair_bench.py [--runs N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from aisms.domain.fair import Distribution, Estimate, RiskFactors, pert_unit_quantiles, simulate

SEED = 2026
INPUT_SEED = 20_261_130  # draws the benchmark portfolios' inputs
PORTFOLIO_RISKS = 20
LARGE_RISKS = 1_000
RUNS = 100_000
REPEAT = 3
WARM_UP_RUNS = 1_000
P90 = 90
KIB_PER_MIB = 1024
TARGET_SPEED_UP = 5.0
TARGET_RELATIVE_DIFFERENCE = 0.02


def _pert(low: float, mode: float, high: float) -> Estimate:
    return Estimate(low=round(low, 6), most_likely=round(mode, 6), high=round(high, 6))


def _probability(rng: np.random.Generator) -> Estimate:
    low = rng.uniform(0.01, 0.2)
    mode = low + rng.uniform(0.05, 0.3)
    return _pert(low, mode, min(mode + rng.uniform(0.05, 0.4), 1.0))


def _money(rng: np.random.Generator) -> tuple[float, float, float]:
    low = 10 ** rng.uniform(3, 5)
    mode = low * rng.uniform(2, 5)
    return low, mode, mode * rng.uniform(3, 20)


def bench_portfolio(count: int, *, lognormal_losses: bool = False) -> list[RiskFactors]:
    """``count`` full-tree risks with varied inputs, the same for every run of the benchmark."""
    rng = np.random.default_rng(INPUT_SEED + count)
    risks = []
    for index in range(count):
        tef_low = rng.uniform(0.1, 2)
        tef_mode = tef_low * rng.uniform(1.5, 4)
        primary, secondary = _money(rng), _money(rng)
        if lognormal_losses and index % 2:
            primary_loss = Estimate(low=primary[0], high=primary[2], distribution=Distribution.LOGNORMAL)
            secondary_loss = Estimate(
                low=secondary[0], high=secondary[2], distribution=Distribution.LOGNORMAL
            )
        else:
            primary_loss, secondary_loss = _pert(*primary), _pert(*secondary)
        risks.append(
            RiskFactors(
                id=f"R{index + 1:04d}",
                name=f"benchmark risk {index + 1}",
                tef=_pert(tef_low, tef_mode, tef_mode * rng.uniform(1.5, 4)),
                vulnerability=_probability(rng),
                primary_loss=primary_loss,
                secondary_loss_probability=_probability(rng),
                secondary_loss=secondary_loss,
            )
        )
    return risks


def _pert_keywords(estimate: Estimate | None) -> dict[str, float]:
    if estimate is None or estimate.most_likely is None:
        raise ValueError("the pyfair side takes full PERT ranges only")
    return {"low": estimate.low, "mode": estimate.most_likely, "high": estimate.high}


def pyfair_portfolio(risks: list[RiskFactors], runs: int, seed: int) -> Any:
    """The same portfolio in pyfair: one FairModel per risk, summed by a FairMetaModel."""
    from pyfair import FairMetaModel, FairModel

    models = []
    for index, risk in enumerate(risks):
        model = FairModel(name=risk.id, n_simulations=runs, random_seed=seed + index)
        model.input_data("Threat Event Frequency", **_pert_keywords(risk.tef))
        model.input_data("Vulnerability", **_pert_keywords(risk.vulnerability))
        model.input_data("Primary Loss", **_pert_keywords(risk.primary_loss))
        model.input_data("Secondary Loss Event Frequency", **_pert_keywords(risk.secondary_loss_probability))
        model.input_data("Secondary Loss Event Magnitude", **_pert_keywords(risk.secondary_loss))
        model.calculate_all()
        models.append(model)
    meta = FairMetaModel(name="portfolio", models=models)
    meta.calculate_all()
    return meta.export_results()["Risk"].to_numpy()


def _emit(line: str) -> None:
    """Write one line of the benchmark's output (a Markdown table) to stdout."""
    sys.stdout.write(line + "\n")


def _median_time(fn: Callable[[], tuple[float, float]], repeat: int) -> tuple[float, float, float]:
    """Median wall time of ``fn`` and the (mean, P90) it returned last."""
    times = []
    figures = (0.0, 0.0)
    for _ in range(repeat):
        start = time.perf_counter()
        figures = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), *figures


def peak_resident_mib() -> float:
    """This process's peak resident memory. Linux's VmHWM counts from the process's own start;
    ru_maxrss (the fallback elsewhere) also counts the parent's memory at the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / KIB_PER_MIB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def large_run(risks: int, runs: int) -> dict[str, float]:
    """Simulate ``risks`` risks; report time and memory. Meant to run in a process of its own."""
    portfolio = bench_portfolio(risks, lognormal_losses=True)
    before_mib = peak_resident_mib()
    tracemalloc.start()
    start = time.perf_counter()
    result = simulate(portfolio, runs, SEED)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "peak_rss_mib": peak_resident_mib(),
        "rss_before_mib": before_mib,
        "traced_peak_mib": traced_peak / KIB_PER_MIB / KIB_PER_MIB,
        "portfolio_mean": result.portfolio.mean,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--large-risks", type=int, default=LARGE_RISKS)
    parser.add_argument("--large-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.large_only:
        _emit(json.dumps(large_run(args.large_risks, args.runs)))
        return

    # The large run first, in a process of its own, so that its memory figures are its own.
    child = subprocess.run(  # noqa: S603 - this script, with our own arguments
        [
            sys.executable,
            __file__,
            "--large-only",
            "--runs",
            str(args.runs),
            "--large-risks",
            str(args.large_risks),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    large = json.loads(child.stdout)
    portfolio = bench_portfolio(PORTFOLIO_RISKS)

    def ours() -> tuple[float, float]:
        pert_unit_quantiles.cache_clear()  # every timed run builds its PERT tables afresh
        result = simulate(portfolio, args.runs, SEED)
        return result.portfolio.mean, result.portfolio.percentile(P90)

    def theirs() -> tuple[float, float]:
        losses = pyfair_portfolio(portfolio, args.runs, SEED)
        return float(np.mean(losses)), float(np.percentile(losses, P90))

    # Warm up both sides (imports, first calls) outside the timings.
    simulate(portfolio, WARM_UP_RUNS, SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecation warnings from pyfair
        pyfair_portfolio(portfolio, WARM_UP_RUNS, SEED)
        theirs_time, theirs_mean, theirs_p90 = _median_time(theirs, args.repeat)
    ours_time, ours_mean, ours_p90 = _median_time(ours, args.repeat)
    speed_up = theirs_time / ours_time
    mean_gap = abs(ours_mean - theirs_mean) / theirs_mean
    p90_gap = abs(ours_p90 - theirs_p90) / theirs_p90

    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    runs = f"{args.runs:,}"
    _emit("| measure | aisms | pyfair 0.1a13 | comparison |")
    _emit("|---|---|---|---|")
    _emit(
        f"| {PORTFOLIO_RISKS} risks x {runs} runs, wall time (median of {args.repeat}) "
        f"| {ours_time:.2f} s | {theirs_time:.2f} s "
        f"| {speed_up:.1f}x faster ({verdict(speed_up >= TARGET_SPEED_UP)}: >= {TARGET_SPEED_UP:.0f}x) |"
    )
    _emit(
        f"| portfolio mean annual loss | {ours_mean:,.0f} | {theirs_mean:,.0f} "
        f"| {mean_gap:.2%} apart ({verdict(mean_gap <= TARGET_RELATIVE_DIFFERENCE)}: <= 2%) |"
    )
    _emit(
        f"| portfolio P90 annual loss | {ours_p90:,.0f} | {theirs_p90:,.0f} "
        f"| {p90_gap:.2%} apart ({verdict(p90_gap <= TARGET_RELATIVE_DIFFERENCE)}: <= 2%) |"
    )
    _emit(f"| {args.large_risks:,} risks x {runs} runs, wall time | {large['seconds']:.1f} s | | |")
    _emit(
        f"| {args.large_risks:,} risks x {runs} runs, peak resident memory of the process "
        f"| {large['peak_rss_mib']:.0f} MiB | | {large['rss_before_mib']:.0f} MiB before simulating |"
    )
    _emit(
        f"| {args.large_risks:,} risks x {runs} runs, peak memory allocated while simulating (tracemalloc) "
        f"| {large['traced_peak_mib']:.1f} MiB | | |"
    )


if __name__ == "__main__":
    main()
