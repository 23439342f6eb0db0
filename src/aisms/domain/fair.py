"""Quantitative (FAIR) risk analysis: a vectorised, seeded Monte Carlo engine.

Each risk is described by calibrated ranges (``Estimate``) for the factors of the FAIR tree.
The composition is the one pyfair uses, so results can be compared with it run for run:

    loss event frequency  LEF = TEF x Vulnerability         (or LEF given directly)
    loss magnitude        LM  = primary loss + SLEF x secondary loss
    annual loss           ALE = LEF x LM                     (per simulation run)

Every factor is drawn once per run, all runs at once (numpy vectors). A portfolio's annual loss
in a run is the sum of its risks' annual losses in that run, so the portfolio mean equals the sum
of the risks' means.

Ranges are either beta-PERT (low, most likely, high; lambda = 4) or lognormal, given as a 90%
interval (low and high are the 5th and 95th percentiles). PERT draws use inverse-transform
sampling through a quantile table of the exact beta-PERT distribution (its density integrated
numerically on a fine grid); between the table's knots the quantile function is interpolated
linearly, so the drawn distribution is within about 1/16,384 of the exact one in Kolmogorov
distance, far below the sampling error of any practical run count, at one uniform number per draw
(numpy's own beta sampler costs several times as much).

Random streams: every (risk, factor) pair has its own stream, derived from the seed and a hash of
the risk's id (``numpy.random.SeedSequence(seed, spawn_key=...)``, the mechanism ``spawn`` uses).
A risk's results therefore depend only on the seed, its id and its own inputs: adding, removing
or reordering other risks, or changing one factor's range, leaves every other draw unchanged.
That also makes the portfolio of any subset of risks the exact sum of those same runs.

Memory: risks are simulated one at a time in one reused set of vectors; besides those, only the
portfolio (and any requested subset) sum vectors live for the whole simulation, so memory is a
few vectors of ``runs`` floats (about 64 bytes per run), whatever the number of risks.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

METHOD_VERSION = "aisms-fair-mc/1 (LEF=TEF*V, LM=PL+SLEF*SLM, ALE=LEF*LM per run; beta-PERT lambda=4)"
PERT_LAMBDA = 4.0
# The standard normal's 95th percentile: a 90% interval spans mu +/- Z_95 * sigma in log space.
Z_95 = 1.6448536269514722
PERCENTILE_LEVELS: tuple[int, ...] = (10, 50, 90, 95, 99)
PERCENT = 100.0
HALF = 0.5
# Knots of the PERT quantile table (2**14), and points of the grid its density is integrated on.
PERT_QUANTILE_KNOTS = 16_384
PERT_DENSITY_POINTS = 16_385
PERT_TABLE_CACHE_SIZE = 64  # tables of 128 KiB each: a few MiB at most
# The loss exceedance curves' shared grid of thresholds: 10**MIN .. 10**MAX, log-spaced.
LOSS_GRID_MIN_EXPONENT = -2
LOSS_GRID_MAX_EXPONENT = 15
LOSS_GRID_POINTS_PER_DECADE = 20


class FairInputError(ValueError):
    """An input to the FAIR engine is out of range; names the risk (when there is one) and the field."""

    def __init__(self, field: str, message: str, risk_id: str | None = None) -> None:
        self.field = field
        self.message = message
        self.risk_id = risk_id
        where = f"risk {risk_id!r}, field {field!r}" if risk_id is not None else f"field {field!r}"
        super().__init__(f"{where}: {message}")


class Distribution(StrEnum):
    PERT = "pert"  # beta-PERT from low, most likely and high (lambda = 4)
    LOGNORMAL = "lognormal"  # lognormal whose 5th and 95th percentiles are low and high


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """A calibrated range for one FAIR factor. Validated by the ``RiskFactors`` that holds it."""

    low: float
    high: float
    most_likely: float | None = None
    distribution: Distribution = Distribution.PERT

    @classmethod
    def constant(cls, value: float) -> Estimate:
        return cls(low=value, most_likely=value, high=value)

    @property
    def is_constant(self) -> bool:
        return self.low == self.high

    @property
    def mean(self) -> float:
        """The distribution's exact mean (the engine's draws have this mean within sampling error)."""
        if self.is_constant:
            return self.low
        if self.distribution is Distribution.LOGNORMAL:
            mu, sigma = _lognormal_parameters(self)
            return math.exp(mu + sigma * sigma / 2)
        mode = self.low if self.most_likely is None else self.most_likely
        return (self.low + PERT_LAMBDA * mode + self.high) / (PERT_LAMBDA + 2)


class Factor(IntEnum):
    """The FAIR factors; the value is part of each factor's random stream key, so never renumber."""

    THREAT_EVENT_FREQUENCY = 0
    VULNERABILITY = 1
    LOSS_EVENT_FREQUENCY = 2
    PRIMARY_LOSS = 3
    SECONDARY_LOSS_PROBABILITY = 4
    SECONDARY_LOSS = 5


@dataclass(frozen=True, kw_only=True)
class RiskFactors:
    """One risk's FAIR inputs: ``tef`` with ``vulnerability``, or ``lef``; loss magnitudes per event.

    Frequencies are events per year; ``vulnerability`` and ``secondary_loss_probability`` are
    probabilities (the chance a threat event becomes a loss event; the chance a loss event also
    brings secondary loss) and must be PERT ranges within [0, 1].
    """

    id: str
    name: str
    primary_loss: Estimate
    tef: Estimate | None = None
    vulnerability: Estimate | None = None
    lef: Estimate | None = None
    secondary_loss_probability: Estimate | None = None
    secondary_loss: Estimate | None = None

    def __post_init__(self) -> None:
        _validate_risk(self)

    def estimates(self) -> dict[Factor, Estimate]:
        """The factors this risk gives, in stream order."""
        given = {
            Factor.THREAT_EVENT_FREQUENCY: self.tef,
            Factor.VULNERABILITY: self.vulnerability,
            Factor.LOSS_EVENT_FREQUENCY: self.lef,
            Factor.PRIMARY_LOSS: self.primary_loss,
            Factor.SECONDARY_LOSS_PROBABILITY: self.secondary_loss_probability,
            Factor.SECONDARY_LOSS: self.secondary_loss,
        }
        return {factor: estimate for factor, estimate in given.items() if estimate is not None}

    def analytic_mean_annual_loss(self) -> float:
        """The exact expected annual loss (factors are independent, so means multiply)."""
        if self.lef is not None:
            frequency = self.lef.mean
        elif self.tef is not None and self.vulnerability is not None:
            frequency = self.tef.mean * self.vulnerability.mean
        else:  # pragma: no cover - construction refuses this
            raise FairInputError("lef", "no loss event frequency", risk_id=self.id)
        magnitude = self.primary_loss.mean
        if self.secondary_loss is not None and self.secondary_loss_probability is not None:
            magnitude += self.secondary_loss_probability.mean * self.secondary_loss.mean
        return frequency * magnitude


FIELD_NAMES: dict[Factor, str] = {
    Factor.THREAT_EVENT_FREQUENCY: "tef",
    Factor.VULNERABILITY: "vulnerability",
    Factor.LOSS_EVENT_FREQUENCY: "lef",
    Factor.PRIMARY_LOSS: "primary_loss",
    Factor.SECONDARY_LOSS_PROBABILITY: "secondary_loss_probability",
    Factor.SECONDARY_LOSS: "secondary_loss",
}
_PROBABILITIES = frozenset({Factor.VULNERABILITY, Factor.SECONDARY_LOSS_PROBABILITY})


def _validate_risk(risk: RiskFactors) -> None:
    def fail(field_name: str, message: str) -> FairInputError:
        return FairInputError(field_name, message, risk_id=risk.id)

    if not isinstance(risk.id, str) or not risk.id.strip():
        raise fail("id", "a risk needs a non-empty id")
    if risk.lef is not None and (risk.tef is not None or risk.vulnerability is not None):
        raise fail("lef", "give either lef, or tef with vulnerability, not both")
    if risk.lef is None:
        if risk.tef is None:
            raise fail("tef", "give tef with vulnerability, or lef")
        if risk.vulnerability is None:
            raise fail("vulnerability", "tef needs a vulnerability (or give lef instead)")
    if (risk.secondary_loss is None) != (risk.secondary_loss_probability is None):
        missing = "secondary_loss" if risk.secondary_loss is None else "secondary_loss_probability"
        raise fail(missing, "secondary_loss and secondary_loss_probability go together")
    for factor, estimate in risk.estimates().items():
        _validate_estimate(estimate, FIELD_NAMES[factor], factor in _PROBABILITIES, fail)


def _validate_estimate(
    estimate: Estimate, name: str, is_probability: bool, fail: Callable[[str, str], FairInputError]
) -> None:
    if not isinstance(estimate, Estimate):
        raise fail(name, "must be a range (Estimate)")
    values = {"low": estimate.low, "high": estimate.high, "most_likely": estimate.most_likely}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise fail(f"{name}.{key}", f"must be a finite number, not {value!r}")
        if value < 0:
            raise fail(f"{name}.{key}", f"must not be negative ({value})")
        if is_probability and value > 1:
            raise fail(f"{name}.{key}", f"is a probability and must be within [0, 1] ({value})")
    if estimate.low > estimate.high:
        raise fail(f"{name}.high", f"high ({estimate.high}) is below low ({estimate.low})")
    if not isinstance(estimate.distribution, Distribution):
        raise fail(f"{name}.distribution", f"unknown distribution {estimate.distribution!r}")
    mode = estimate.most_likely
    if estimate.distribution is Distribution.PERT:
        if mode is None:
            if estimate.is_constant:
                return
            raise fail(f"{name}.most_likely", "a PERT range needs most_likely (or use a lognormal range)")
        if not estimate.low <= mode <= estimate.high:
            raise fail(
                f"{name}.most_likely",
                f"most_likely ({mode}) must lie between low ({estimate.low}) and high ({estimate.high})",
            )
        return
    if is_probability and not estimate.is_constant:
        raise fail(f"{name}.distribution", "a probability must be a PERT range (a lognormal is unbounded)")
    if mode is not None and not estimate.is_constant:
        raise fail(f"{name}.most_likely", "a lognormal range takes low and high only (a 90% interval)")
    if estimate.low <= 0 and not estimate.is_constant:
        raise fail(f"{name}.low", "a lognormal range needs low above zero")


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class LossSummary:
    """Annual loss over the runs: mean (ALE), standard deviation, percentiles, exceedance curve.

    ``exceedance[i]`` is the share of runs whose annual loss exceeds ``thresholds[i]`` of the
    ``SimulationResult`` (one grid shared by every risk, the portfolio and the subsets).
    """

    mean: float
    std_dev: float
    percentiles: dict[int, float]
    exceedance: tuple[float, ...]

    def percentile(self, level: int) -> float:
        return self.percentiles[level]


@dataclass(frozen=True)
class RiskResult:
    risk_id: str
    name: str
    annual_loss: LossSummary
    mean_loss_event_frequency: float
    mean_loss_magnitude: float


@dataclass(frozen=True)
class SimulationResult:
    runs: int
    seed: int
    method: str
    thresholds: tuple[float, ...]
    risks: tuple[RiskResult, ...]
    portfolio: LossSummary
    subsets: dict[str, LossSummary] = field(default_factory=dict)

    def risk(self, risk_id: str) -> RiskResult:
        for result in self.risks:
            if result.risk_id == risk_id:
                return result
        raise KeyError(risk_id)


# ---------------------------------------------------------------------------------------------
# Sampling


def factor_stream(seed: int, risk_id: str, factor: Factor) -> np.random.Generator:
    """The independent random stream of one factor of one risk."""
    digest = hashlib.sha256(risk_id.encode("utf-8")).digest()
    words = [int(word) for word in np.frombuffer(digest, dtype="<u4")]  # eight 32-bit words
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*words, int(factor))))


def _lognormal_parameters(estimate: Estimate) -> tuple[float, float]:
    log_low, log_high = math.log(estimate.low), math.log(estimate.high)
    return (log_low + log_high) / 2, (log_high - log_low) / (2 * Z_95)


def pert_shape(estimate: Estimate) -> tuple[float, float]:
    """The beta shape parameters (alpha, beta) of a beta-PERT range with lambda = 4."""
    mode = estimate.low if estimate.most_likely is None else estimate.most_likely
    width = estimate.high - estimate.low
    return (
        1 + PERT_LAMBDA * (mode - estimate.low) / width,
        1 + PERT_LAMBDA * (estimate.high - mode) / width,
    )


@dataclass(frozen=True)
class _DensityGrid:
    """Points x in [0, 1] clustered towards both ends, with what the PERT density needs there."""

    x: FloatArray
    log_x: FloatArray
    log_one_minus_x: FloatArray
    jacobian: FloatArray  # dx/dt, up to a constant factor
    knots: FloatArray  # the probabilities the quantile table is evaluated at


@lru_cache(maxsize=1)
def _density_grid() -> _DensityGrid:
    t = np.linspace(0.0, 1.0, PERT_DENSITY_POINTS)
    x = 0.5 - 0.5 * np.cos(np.pi * t)
    with np.errstate(divide="ignore"):  # log(0) = -inf is wanted: exp(-inf) = 0
        log_x, log_one_minus_x = np.log(x), np.log1p(-x)
    return _DensityGrid(
        x, log_x, log_one_minus_x, np.sin(np.pi * t), np.linspace(0.0, 1.0, PERT_QUANTILE_KNOTS + 1)
    )


@lru_cache(maxsize=PERT_TABLE_CACHE_SIZE)
def pert_unit_quantiles(alpha: float, beta: float) -> FloatArray:
    """Quantiles of Beta(alpha, beta) at ``i / PERT_QUANTILE_KNOTS`` for i = 0 .. PERT_QUANTILE_KNOTS.

    The density is integrated with the trapezoid rule on a grid clustered towards 0 and 1
    (x = (1 - cos(pi t)) / 2 with t uniform), where it changes fastest, then inverted.
    Valid for alpha, beta >= 1, which beta-PERT always has. Read-only (it is cached).
    """
    grid = _density_grid()
    log_density = np.zeros_like(grid.x)
    # A shape parameter of exactly 1 contributes x**0 = 1 (and 0 * log(0) would be nan).
    if alpha != 1:
        log_density += (alpha - 1) * grid.log_x
    if beta != 1:
        log_density += (beta - 1) * grid.log_one_minus_x
    density = np.exp(log_density, out=log_density)
    density *= grid.jacobian  # the density in t
    cumulative = np.empty_like(density)
    cumulative[0] = 0.0
    np.cumsum((density[1:] + density[:-1]) / 2, out=cumulative[1:])
    cumulative /= cumulative[-1]
    quantiles = np.interp(grid.knots, cumulative, grid.x)
    quantiles[0], quantiles[-1] = 0.0, 1.0
    quantiles.flags.writeable = False
    return quantiles


class Workspace:
    """Vectors of ``runs`` numbers reused from risk to risk: allocating fresh ones for every risk
    costs more (page faults) than the arithmetic done on them."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.frequency = np.empty(runs)
        self.magnitude = np.empty(runs)
        self.annual_loss = np.empty(runs)
        self.secondary = np.empty(runs)
        self.factor = np.empty(runs)  # the second factor of a product
        self.gathered = np.empty(runs)  # scratch
        self.knots = np.empty(runs, dtype=np.intp)


def draw_into(
    estimate: Estimate, rng: np.random.Generator, out: FloatArray, workspace: Workspace
) -> FloatArray:
    """Fill ``out`` with independent draws from ``estimate``; returns ``out``."""
    if estimate.is_constant:
        out.fill(float(estimate.low))
        return out
    if estimate.distribution is Distribution.LOGNORMAL:
        mu, sigma = _lognormal_parameters(estimate)
        rng.standard_normal(out=out)
        out *= sigma
        out += mu
        return np.exp(out, out=out)
    # PERT: the position of a uniform number among the quantile table's knots, interpolated.
    low, high = float(estimate.low), float(estimate.high)
    table = low + (high - low) * pert_unit_quantiles(*pert_shape(estimate))
    table[-1] = high
    steps = np.diff(table)
    knots, gathered = workspace.knots, workspace.gathered
    rng.random(out=out)
    out *= PERT_QUANTILE_KNOTS
    np.copyto(knots, out, casting="unsafe")  # truncation, which is floor as out is never negative
    out -= knots  # now the fraction of the way to the next knot
    # mode="clip" writes straight into ``gathered`` (the default mode buffers); knots are in range.
    out *= np.take(steps, knots, out=gathered, mode="clip")
    out += np.take(table, knots, out=gathered, mode="clip")
    return np.minimum(out, high, out=out)


def draw(estimate: Estimate, runs: int, rng: np.random.Generator) -> FloatArray:
    """``runs`` independent draws from ``estimate``, in a new vector."""
    workspace = Workspace(runs)
    return draw_into(estimate, rng, np.empty(runs), workspace)


@dataclass(frozen=True)
class RiskSamples:
    """One risk's per-run draws: loss event frequency, loss magnitude per event, annual loss."""

    loss_event_frequency: FloatArray
    loss_magnitude: FloatArray
    annual_loss: FloatArray


def sample_risk(risk: RiskFactors, runs: int, seed: int, workspace: Workspace | None = None) -> RiskSamples:
    """Simulate one risk for ``runs`` years (the same draws ``simulate`` uses for it).

    With a ``workspace`` the samples live in its vectors, valid until its next use.
    """
    _validate_run_settings(runs, seed)
    space = Workspace(runs) if workspace is None else workspace

    def draws(factor: Factor, estimate: Estimate, out: FloatArray) -> FloatArray:
        return draw_into(estimate, factor_stream(seed, risk.id, factor), out, space)

    if risk.lef is not None:
        frequency = draws(Factor.LOSS_EVENT_FREQUENCY, risk.lef, space.frequency)
    elif risk.tef is None or risk.vulnerability is None:  # pragma: no cover - construction refuses this
        raise FairInputError("lef", "no loss event frequency", risk_id=risk.id)
    else:
        frequency = draws(Factor.THREAT_EVENT_FREQUENCY, risk.tef, space.frequency)
        frequency *= draws(Factor.VULNERABILITY, risk.vulnerability, space.factor)
    magnitude = draws(Factor.PRIMARY_LOSS, risk.primary_loss, space.magnitude)
    if risk.secondary_loss is not None and risk.secondary_loss_probability is not None:
        secondary = draws(Factor.SECONDARY_LOSS_PROBABILITY, risk.secondary_loss_probability, space.secondary)
        secondary *= draws(Factor.SECONDARY_LOSS, risk.secondary_loss, space.factor)
        magnitude += secondary
    return RiskSamples(frequency, magnitude, np.multiply(frequency, magnitude, out=space.annual_loss))


# ---------------------------------------------------------------------------------------------
# Summaries and the simulation


def loss_grid() -> FloatArray:
    """The full log-spaced threshold grid; results keep the part where some curve is in (0, 1)."""
    decades = LOSS_GRID_MAX_EXPONENT - LOSS_GRID_MIN_EXPONENT
    exponents = np.arange(decades * LOSS_GRID_POINTS_PER_DECADE + 1) / LOSS_GRID_POINTS_PER_DECADE
    return np.power(10.0, exponents + LOSS_GRID_MIN_EXPONENT)


def percentiles_of_sorted(values: FloatArray, levels: Sequence[float]) -> list[float]:
    """Percentiles of sorted values, interpolated linearly (numpy's default "linear" method)."""
    last = len(values) - 1
    out = []
    for level in levels:
        position = level / PERCENT * last
        below = math.floor(position)
        above = min(below + 1, last)
        fraction = position - below
        low, high = float(values[below]), float(values[above])
        # Interpolate from the nearer end, as numpy does, so the result never leaves [low, high].
        if fraction < HALF:
            out.append(low + (high - low) * fraction)
        else:
            out.append(high - (high - low) * (1 - fraction))
    return out


@dataclass(frozen=True)
class _FullSummary:
    mean: float
    std_dev: float
    percentiles: dict[int, float]
    exceedance: FloatArray  # on the full grid


def _summarise(annual_loss: FloatArray, grid: FloatArray, scratch: FloatArray) -> _FullSummary:
    """Summarise annual losses. Sorts ``annual_loss`` in place; overwrites ``scratch``."""
    runs = len(annual_loss)
    mean = float(annual_loss.mean())
    squared_deviation = np.square(np.subtract(annual_loss, mean, out=scratch), out=scratch)
    std_dev = math.sqrt(float(squared_deviation.mean()))  # numpy's pairwise sum: the same on any machine
    annual_loss.sort()
    values = percentiles_of_sorted(annual_loss, PERCENTILE_LEVELS)
    exceeding = runs - np.searchsorted(annual_loss, grid, side="right")
    return _FullSummary(mean, std_dev, dict(zip(PERCENTILE_LEVELS, values, strict=True)), exceeding / runs)


def _trimmed(summary: _FullSummary, keep: slice) -> LossSummary:
    curve = tuple(float(p) for p in summary.exceedance[keep])
    return LossSummary(summary.mean, summary.std_dev, summary.percentiles, curve)


def _grid_window(curves: Sequence[FloatArray]) -> slice:
    """The grid span where some curve is strictly between 1 and 0, with one point either side."""
    stacked = np.vstack(curves)
    below_one = np.flatnonzero((stacked < 1).any(axis=0))
    above_zero = np.flatnonzero((stacked > 0).any(axis=0))
    size = stacked.shape[1]
    first = max(int(below_one[0]) - 1, 0) if below_one.size else size - 1
    last = min(int(above_zero[-1]) + 1, size - 1) if above_zero.size else 0
    if last < first:
        first = last = min(first, last)
    return slice(first, last + 1)


def _validate_run_settings(runs: int, seed: int) -> None:
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise FairInputError("runs", f"must be a whole number of at least 1, not {runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise FairInputError("seed", f"must be a whole number of at least 0, not {seed!r}")


def simulate(
    risks: Sequence[RiskFactors],
    runs: int,
    seed: int,
    *,
    subsets: Mapping[str, Collection[str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate ``runs`` years of every risk; summarise each risk, the portfolio and each subset.

    ``subsets`` names groups of risk ids (say, per asset or per owner) whose own portfolio is
    wanted as well; each costs one more vector of ``runs`` floats. ``progress`` is called with 1
    after each risk.
    """
    _validate_run_settings(runs, seed)
    seen: set[str] = set()
    for risk in risks:
        if risk.id in seen:
            raise FairInputError("id", "appears more than once in the portfolio", risk_id=risk.id)
        seen.add(risk.id)
    members_of = {name: frozenset(ids) for name, ids in (subsets or {}).items()}
    for subset_name, members in members_of.items():
        unknown = sorted(set(members) - seen)
        if unknown:
            raise FairInputError(f"subsets.{subset_name}", f"unknown risk ids: {', '.join(unknown)}")
    grid = loss_grid()
    portfolio_loss = np.zeros(runs)
    subset_loss = {subset_name: np.zeros(runs) for subset_name in members_of}
    per_risk: list[tuple[RiskFactors, _FullSummary, float, float]] = []
    workspace = Workspace(runs)
    for risk in risks:
        samples = sample_risk(risk, runs, seed, workspace)
        portfolio_loss += samples.annual_loss
        for subset_name, members in members_of.items():
            if risk.id in members:
                subset_loss[subset_name] += samples.annual_loss
        frequency = float(samples.loss_event_frequency.mean())
        magnitude = float(samples.loss_magnitude.mean())
        per_risk.append(
            (risk, _summarise(samples.annual_loss, grid, workspace.gathered), frequency, magnitude)
        )
        if progress is not None:
            progress(1)
    portfolio = _summarise(portfolio_loss, grid, workspace.gathered)
    subset_summaries = {
        name: _summarise(loss, grid, workspace.gathered) for name, loss in subset_loss.items()
    }
    curves = [portfolio.exceedance, *(s.exceedance for _, s, _, _ in per_risk)]
    keep = _grid_window([*curves, *(s.exceedance for s in subset_summaries.values())])
    return SimulationResult(
        runs=runs,
        seed=seed,
        method=METHOD_VERSION,
        thresholds=tuple(float(x) for x in grid[keep]),
        risks=tuple(
            RiskResult(risk.id, risk.name, _trimmed(summary, keep), frequency, magnitude)
            for risk, summary, frequency, magnitude in per_risk
        ),
        portfolio=_trimmed(portfolio, keep),
        subsets={name: _trimmed(summary, keep) for name, summary in subset_summaries.items()},
    )


def simulate_subset(
    risks: Sequence[RiskFactors], risk_ids: Collection[str], runs: int, seed: int
) -> SimulationResult:
    """Simulate only the risks in ``risk_ids``: their figures equal those of the full simulation."""
    wanted = set(risk_ids)
    unknown = sorted(wanted - {risk.id for risk in risks})
    if unknown:
        raise FairInputError("risk_ids", f"unknown risk ids: {', '.join(unknown)}")
    return simulate([risk for risk in risks if risk.id in wanted], runs, seed)
