"""The FAIR Monte Carlo engine: exact cases, statistical checks, properties and input validation."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisms.domain.fair import (
    LOSS_GRID_POINTS_PER_DECADE,
    PERCENTILE_LEVELS,
    PERT_QUANTILE_KNOTS,
    Distribution,
    Estimate,
    Factor,
    FairInputError,
    RiskFactors,
    Workspace,
    draw,
    factor_stream,
    percentiles_of_sorted,
    pert_unit_quantiles,
    sample_risk,
    simulate,
    simulate_subset,
)

LOGNORMAL = Distribution.LOGNORMAL
const = Estimate.constant


def pert(low: float, most_likely: float, high: float) -> Estimate:
    return Estimate(low=low, most_likely=most_likely, high=high)


def lognormal(low: float, high: float) -> Estimate:
    return Estimate(low=low, high=high, distribution=LOGNORMAL)


def full_risk(risk_id: str = "R1", **changes: Estimate) -> RiskFactors:
    risk = RiskFactors(
        id=risk_id,
        name=f"risk {risk_id}",
        tef=pert(0.5, 2, 6),
        vulnerability=pert(0.05, 0.2, 0.4),
        primary_loss=lognormal(20_000, 400_000),
        secondary_loss_probability=pert(0.1, 0.3, 0.5),
        secondary_loss=lognormal(50_000, 2_000_000),
    )
    return replace(risk, **changes)


# --- exact cases -----------------------------------------------------------------------------


def test_constant_ranges_give_that_constant_every_run() -> None:
    risk = RiskFactors(
        id="C", name="constant", tef=const(4), vulnerability=const(0.25), primary_loss=const(1000)
    )
    result = simulate([risk], runs=50, seed=1)
    summary = result.risk("C").annual_loss
    assert summary.mean == 1000
    assert summary.std_dev == 0
    assert all(value == 1000 for value in summary.percentiles.values())
    assert result.risk("C").mean_loss_event_frequency == 1
    curve = dict(zip(result.thresholds, summary.exceedance, strict=True))
    assert curve[1000.0] == 0  # P(loss > 1000) when every run loses exactly 1000
    assert all(p == 1 for x, p in curve.items() if x < 1000)


def test_loss_event_frequency_can_be_given_directly_with_secondary_loss() -> None:
    risk = RiskFactors(
        id="L",
        name="direct LEF",
        lef=const(3),
        primary_loss=const(100),
        secondary_loss_probability=const(0.5),
        secondary_loss=const(1000),
    )
    samples = sample_risk(risk, runs=10, seed=0)
    assert np.all(samples.loss_magnitude == 600)
    assert np.all(samples.annual_loss == 1800)


def test_a_pert_range_of_equal_bounds_is_a_constant_even_with_lognormal() -> None:
    assert np.all(draw(Estimate(low=7, high=7, distribution=LOGNORMAL), 5, np.random.default_rng(0)) == 7)


def test_a_range_of_equal_bounds_needs_no_most_likely() -> None:
    risk = RiskFactors(id="E", name="equal bounds", lef=Estimate(low=2, high=2), primary_loss=const(10))
    assert simulate([risk], runs=5, seed=0).portfolio.mean == 20


def test_an_empty_portfolio_loses_nothing() -> None:
    result = simulate([], runs=10, seed=0)
    assert result.portfolio.mean == 0
    assert result.risks == ()


# --- seeds and streams -----------------------------------------------------------------------


def test_the_same_seed_gives_identical_results_and_another_seed_different_ones() -> None:
    risks = [full_risk("A"), full_risk("B")]
    first = simulate(risks, runs=500, seed=42)
    assert simulate(risks, runs=500, seed=42) == first
    assert simulate(risks, runs=500, seed=43).portfolio.mean != first.portfolio.mean


def test_adding_or_reordering_risks_leaves_each_risks_figures_unchanged() -> None:
    alone = simulate([full_risk("A")], runs=400, seed=9).risk("A").annual_loss
    together = (
        simulate([full_risk("B"), full_risk("C"), full_risk("A")], runs=400, seed=9).risk("A").annual_loss
    )
    assert (together.mean, together.std_dev, together.percentiles) == (
        alone.mean,
        alone.std_dev,
        alone.percentiles,
    )


def test_changing_one_factor_leaves_the_other_factors_draws_unchanged() -> None:
    before = sample_risk(full_risk("A"), runs=300, seed=5)
    after = sample_risk(full_risk("A", primary_loss=pert(1, 2, 3)), runs=300, seed=5)
    assert np.array_equal(before.loss_event_frequency, after.loss_event_frequency)
    assert not np.array_equal(before.loss_magnitude, after.loss_magnitude)


def test_a_reused_workspace_gives_the_same_draws_as_fresh_vectors() -> None:
    workspace = Workspace(300)
    sample_risk(full_risk("B"), runs=300, seed=5, workspace=workspace)  # leaves B's draws behind
    reused = sample_risk(full_risk("A"), runs=300, seed=5, workspace=workspace)
    fresh = sample_risk(full_risk("A"), runs=300, seed=5)
    assert np.array_equal(reused.annual_loss, fresh.annual_loss)
    assert np.array_equal(reused.loss_magnitude, fresh.loss_magnitude)


def test_each_factor_of_each_risk_has_its_own_stream() -> None:
    draws = {
        (risk_id, factor): factor_stream(1, risk_id, factor).random()
        for risk_id in ("A", "B")
        for factor in Factor
    }
    assert len(set(draws.values())) == len(draws)


def test_a_subset_portfolio_equals_simulating_only_those_risks() -> None:
    risks = [full_risk("A"), full_risk("B"), full_risk("C")]
    result = simulate(risks, runs=600, seed=3, subsets={"A and C": ["A", "C"]})
    alone = simulate_subset(risks, {"C", "A"}, runs=600, seed=3).portfolio
    subset = result.subsets["A and C"]
    assert subset.mean == pytest.approx(alone.mean, rel=1e-12)
    assert subset.percentiles == pytest.approx(alone.percentiles, rel=1e-12)
    assert subset.mean == pytest.approx(result.risk("A").annual_loss.mean + result.risk("C").annual_loss.mean)


def test_progress_is_reported_once_per_risk() -> None:
    calls: list[int] = []
    simulate([full_risk("A"), full_risk("B")], runs=10, seed=0, progress=calls.append)
    assert calls == [1, 1]


# --- distributions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha", "beta", "cdf"),
    [
        (1.0, 5.0, lambda x: 1 - (1 - x) ** 5),  # mode at low
        (5.0, 1.0, lambda x: x**5),  # mode at high
        (3.0, 3.0, lambda x: 10 * x**3 - 15 * x**4 + 6 * x**5),  # mode in the middle
    ],
)
def test_the_pert_quantile_table_inverts_the_exact_beta_cdf(alpha: float, beta: float, cdf: object) -> None:
    quantiles = pert_unit_quantiles(alpha, beta)
    probabilities = np.linspace(0, 1, PERT_QUANTILE_KNOTS + 1)
    assert np.max(np.abs(cdf(quantiles) - probabilities)) < 1e-6  # type: ignore[operator]


def test_pert_draws_have_the_pert_mean_and_variance_and_stay_in_range() -> None:
    low, mode, high = 2.0, 5.0, 20.0
    values = draw(pert(low, mode, high), 200_000, np.random.default_rng(11))
    mean = (low + 4 * mode + high) / 6
    variance = (mean - low) * (high - mean) / 7
    standard_error = math.sqrt(variance / len(values))
    assert abs(values.mean() - mean) < 5 * standard_error
    assert values.var() == pytest.approx(variance, rel=0.02)
    assert values.min() >= low
    assert values.max() <= high


def test_a_lognormal_range_is_a_90_percent_interval() -> None:
    low, high = 1_000.0, 250_000.0
    values = draw(lognormal(low, high), 100_000, np.random.default_rng(12))
    assert np.mean(values < low) == pytest.approx(0.05, abs=0.004)
    assert np.mean(values > high) == pytest.approx(0.05, abs=0.004)
    assert np.median(values) == pytest.approx(math.sqrt(low * high), rel=0.03)


def test_the_simulated_mean_matches_the_exact_expected_annual_loss() -> None:
    risk = full_risk("A")
    summary = simulate([risk], runs=100_000, seed=4).risk("A").annual_loss
    standard_error = summary.std_dev / math.sqrt(100_000)
    assert abs(summary.mean - risk.analytic_mean_annual_loss()) < 5 * standard_error


def test_percentiles_of_sorted_values_match_numpy() -> None:
    values = np.sort(np.random.default_rng(1).lognormal(size=1001))
    assert percentiles_of_sorted(values, PERCENTILE_LEVELS) == pytest.approx(
        list(np.percentile(values, PERCENTILE_LEVELS)), rel=1e-12
    )


def test_thresholds_are_one_log_spaced_grid_shared_by_all_curves() -> None:
    result = simulate(
        [full_risk("A"), RiskFactors(id="S", name="s", lef=const(1), primary_loss=const(5))], 200, 0
    )
    ratios = np.diff(np.log10(result.thresholds))
    assert np.allclose(ratios, 1 / LOSS_GRID_POINTS_PER_DECADE)
    for summary in [result.portfolio, *(risk.annual_loss for risk in result.risks)]:
        assert len(summary.exceedance) == len(result.thresholds)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tef": pert(3, 2, 6)}, "tef.most_likely"),
        ({"tef": Estimate(low=5, most_likely=5, high=4)}, "tef.high"),
        ({"tef": pert(-1, 2, 6)}, "tef.low"),
        ({"tef": pert(0, 2, math.nan)}, "tef.high"),
        ({"tef": Estimate(low=1, high=5)}, "tef.most_likely"),  # PERT needs a most likely value
        ({"vulnerability": pert(0.1, 0.5, 1.5)}, "vulnerability.high"),
        (
            {"vulnerability": Estimate(low=0.1, high=0.5, distribution=LOGNORMAL)},
            "vulnerability.distribution",
        ),
        (
            {"primary_loss": Estimate(low=1, most_likely=2, high=5, distribution=LOGNORMAL)},
            "primary_loss.most_likely",
        ),
        ({"primary_loss": lognormal(0, 10)}, "primary_loss.low"),
        ({"secondary_loss_probability": pert(0.1, 0.2, 1.2)}, "secondary_loss_probability.high"),
        ({"secondary_loss": None}, "secondary_loss"),
        ({"lef": pert(1, 2, 3)}, "lef"),
        ({"vulnerability": None}, "vulnerability"),
        ({"tef": None, "vulnerability": None}, "tef"),
    ],
)
def test_bad_inputs_are_refused_naming_the_risk_and_field(
    changes: dict[str, Estimate | None], field: str
) -> None:
    with pytest.raises(FairInputError) as raised:
        full_risk("R7", **changes)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert raised.value.risk_id == "R7"
    assert f"risk 'R7', field '{field}'" in str(raised.value)


@pytest.mark.parametrize(("runs", "seed", "field"), [(0, 1, "runs"), (10, -1, "seed"), (True, 1, "runs")])
def test_run_settings_are_checked(runs: int, seed: int, field: str) -> None:
    with pytest.raises(FairInputError) as raised:
        simulate([full_risk()], runs=runs, seed=seed)
    assert raised.value.field == field


def test_duplicate_ids_and_unknown_subset_members_are_refused() -> None:
    with pytest.raises(FairInputError, match="more than once"):
        simulate([full_risk("A"), full_risk("A")], runs=10, seed=0)
    with pytest.raises(FairInputError, match="unknown risk ids: Z"):
        simulate([full_risk("A")], runs=10, seed=0, subsets={"group": ["A", "Z"]})


# --- properties ------------------------------------------------------------------------------

magnitudes = st.floats(min_value=0, max_value=1e7, allow_nan=False)
probabilities = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def pert_ranges(draw_value: st.DrawFn, values: st.SearchStrategy[float] = magnitudes) -> Estimate:
    low, mode, high = sorted(draw_value(st.lists(values, min_size=3, max_size=3)))
    return pert(low, mode, high)


@st.composite
def loss_ranges(draw_value: st.DrawFn) -> Estimate:
    if draw_value(st.booleans()):
        return draw_value(pert_ranges())
    low = draw_value(st.floats(min_value=1, max_value=1e6))
    return lognormal(low, low * draw_value(st.floats(min_value=1, max_value=1e3)))


@st.composite
def risks(draw_value: st.DrawFn, risk_id: str = "R") -> RiskFactors:
    frequencies = st.floats(min_value=0, max_value=50)
    if draw_value(st.booleans()):
        frequency = {"lef": draw_value(pert_ranges(frequencies))}
    else:
        frequency = {
            "tef": draw_value(pert_ranges(frequencies)),
            "vulnerability": draw_value(pert_ranges(probabilities)),
        }
    secondary = {}
    if draw_value(st.booleans()):
        secondary = {
            "secondary_loss_probability": draw_value(pert_ranges(probabilities)),
            "secondary_loss": draw_value(loss_ranges()),
        }
    return RiskFactors(
        id=risk_id, name=risk_id, primary_loss=draw_value(loss_ranges()), **frequency, **secondary
    )


@st.composite
def portfolios(draw_value: st.DrawFn) -> list[RiskFactors]:
    count = draw_value(st.integers(min_value=1, max_value=4))
    return [draw_value(risks(f"R{i}")) for i in range(count)]


RUNS = 200
seeds = st.integers(min_value=0, max_value=2**32)


@settings(max_examples=40, deadline=None)
@given(portfolios(), seeds)
def test_portfolio_mean_is_the_sum_of_risk_means(portfolio: list[RiskFactors], seed: int) -> None:
    result = simulate(portfolio, RUNS, seed)
    total = math.fsum(risk.annual_loss.mean for risk in result.risks)
    assert result.portfolio.mean == pytest.approx(total, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(portfolios(), seeds)
def test_figures_are_ordered_and_never_negative(portfolio: list[RiskFactors], seed: int) -> None:
    result = simulate(portfolio, RUNS, seed)
    for summary in [result.portfolio, *(risk.annual_loss for risk in result.risks)]:
        values = [summary.percentiles[level] for level in PERCENTILE_LEVELS]
        assert values == sorted(values)
        assert summary.mean >= 0
        assert values[0] >= 0
        curve = np.array(summary.exceedance)
        assert np.all(np.diff(curve) <= 0)
        assert np.all((curve >= 0) & (curve <= 1))


@settings(max_examples=40, deadline=None)
@given(risks(), seeds, st.floats(min_value=0.01, max_value=100))
def test_scaling_loss_magnitudes_by_k_scales_the_mean_by_k(risk: RiskFactors, seed: int, k: float) -> None:
    def scaled(estimate: Estimate | None) -> Estimate | None:
        if estimate is None:
            return None
        mode = None if estimate.most_likely is None else estimate.most_likely * k
        return replace(estimate, low=estimate.low * k, most_likely=mode, high=estimate.high * k)

    bigger = replace(risk, primary_loss=scaled(risk.primary_loss), secondary_loss=scaled(risk.secondary_loss))
    before = simulate([risk], RUNS, seed).portfolio.mean
    after = simulate([bigger], RUNS, seed).portfolio.mean
    assert after == pytest.approx(k * before, rel=1e-9, abs=1e-9)
