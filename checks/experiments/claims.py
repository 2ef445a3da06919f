"""The paper's claims, judged on the comparisons of the experiments.

Each claim has a measure stated in advance and is marked "reproduced" or "not reproduced",
with the numbers. Methods are compared seed by seed: the runs of one seed share the data and the
sampling seed, so the ratio of their final gaps is paired; its geometric mean over the seeds and
the 95% t interval of the mean log ratio decide. "Beyond seed noise" means that interval
excludes 1. A claim whose direction holds but not beyond seed noise is "not reproduced" with the
finding "within seed noise". Means and 95% intervals of the gaps themselves are listed too.

* PipeDream better than LocalSGD (quadratic; language model): LocalSGD/PD above 1 for every H,
  beyond seed noise.
* LocalSGD better on logistic regression (S = 16): PD/best LocalSGD above 1, beyond seed noise.
* LocalSGD better on logistic regression as S grows: LocalSGD/PD lower at the largest S than at
  the smallest, and below 1 beyond seed noise at the largest S.
* RPD with delta = S^2 - ceil(S/2) tracks PipeDream: the interval of RPD/PD lies inside
  [1/2, 2]; with PipeDream's replayed delays the ratio of mean gaps is 1 (the same updates); and
  RPD's mean final gap does not fall as delta grows.
* CMP-EPS predicts the winner (PipeDream vs LocalSGD experiments): for every (PD, LocalSGD H)
  pair, the method whose guarantee is lower at the slot budget (:mod:`.predictions`; these are
  upper bounds) is the one whose gap is lower beyond seed noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pipeproof.checks.experiments.statistics import mean_interval
from pipeproof.checks.experiments.sweep import Comparison, MethodOutcome
from pipeproof.checks.experiments.table import number

TRACK_FACTOR = 2.0
"""RPD tracks PD when their mean final gaps are within this factor of each other."""


@dataclass(frozen=True)
class Claim:
    """One claim and its verdict."""

    claim: str
    experiment: str
    measure: str
    reproduced: bool
    numbers: str
    finding: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "experiment": self.experiment, "measure": self.measure,
                "status": "reproduced" if self.reproduced else "not reproduced",
                "numbers": self.numbers, "finding": self.finding}


def _interval(outcome: MethodOutcome) -> str:
    mean, low, high = outcome.interval
    return (f"{outcome.spec.name} {number(mean)} [{number(low)}, {number(high)}] "
            f"(step {outcome.step_size:.3g})")


def _by_kind(comparison: Comparison, kind: str) -> list[MethodOutcome]:
    return [outcome for outcome in comparison.methods if outcome.spec.method == kind]


def paired_ratio(first: MethodOutcome, second: MethodOutcome) -> tuple[float, float, float]:
    """Geometric mean over the seeds of first's final gap over second's (both runs of a seed
    share the data and the sampling seed), with the 95% t interval of the mean log ratio.

    A seed where only ``first`` diverged makes the ratio +inf, one where only ``second`` did
    0; seeds that disagree in that way, or where both diverged, make it NaN (undecided)."""
    logs = []
    for top, bottom in zip(first.final_gaps, second.final_gaps, strict=True):
        if math.isfinite(top) and math.isfinite(bottom) and top > 0 and bottom > 0:
            logs.append(math.log(top / bottom))
        elif math.isfinite(top) == math.isfinite(bottom):
            return math.nan, math.nan, math.nan
        else:
            logs.append(-math.inf if math.isfinite(top) else math.inf)
    if any(math.isinf(value) for value in logs):
        signs = {value > 0 for value in logs if math.isinf(value)}
        extreme = math.inf if signs == {True} else 0.0 if signs == {False} else math.nan
        return extreme, extreme, extreme
    mean, low, high = mean_interval(logs)
    return math.exp(mean), math.exp(low), math.exp(high)


def _ratio_text(name: str, ratio: tuple[float, float, float]) -> str:
    return f"{name} {number(ratio[0])} [{number(ratio[1])}, {number(ratio[2])}]"


def _wins(best: MethodOutcome, others: list[MethodOutcome]) -> tuple[bool, bool, str]:
    """(best's gap lower than each other's in the paired geometric mean; and beyond seed noise:
    every paired interval of other/best above 1; the ratios as text)."""
    ratios = [paired_ratio(other, best) for other in others]
    lower = all(ratio[0] > 1 for ratio in ratios)
    beyond = lower and all(ratio[1] > 1 for ratio in ratios)
    text = "; ".join(_ratio_text(f"paired ratio {other.spec.name}/{best.spec.name}", ratio)
                     for other, ratio in zip(others, ratios, strict=True))
    return lower, beyond, text


def _verdict(claim: str, experiment: str, measure: str, lower: bool, beyond: bool,
             numbers: str) -> Claim:
    finding = "" if beyond else ("within seed noise: the direction holds, the paired interval "
                                 "contains 1" if lower else "the other method is better")
    return Claim(claim, experiment, measure, beyond, numbers, finding)


PAIRED = ("the paired ratio of final gaps (geometric mean over the seeds, each seed's runs on "
          "the same data) with its 95% t interval")


def pipedream_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """PD below every LocalSGD variant, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    others = _by_kind(comparison, "localsgd")
    lower, beyond, ratios = _wins(pipedream, others)
    numbers = "; ".join(_interval(outcome) for outcome in [pipedream, *others])
    return _verdict(claim, experiment, f"LocalSGD/PD above 1 for every H, by {PAIRED}", lower,
                    beyond, f"{numbers}; {ratios}")


def localsgd_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """The best LocalSGD variant below PD, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    best = min(_by_kind(comparison, "localsgd"), key=lambda outcome: outcome.interval[0])
    lower, beyond, ratios = _wins(best, [pipedream])
    numbers = f"{_interval(best)}; {_interval(pipedream)}; {ratios}"
    return _verdict(claim, experiment, f"PD/best LocalSGD above 1, by {PAIRED}", lower, beyond,
                    numbers)


def localsgd_better_as_stages_grow(parts: list[Comparison], experiment: str) -> Claim:
    """LocalSGD / PD falls from the smallest to the largest S; LocalSGD wins at the largest."""
    ratios, lines = [], []
    for comparison in sorted(parts, key=lambda part: part.setting.num_stages):
        [pipedream] = _by_kind(comparison, "pipedream")
        [local] = _by_kind(comparison, "localsgd")
        ratio = paired_ratio(local, pipedream)
        ratios.append(ratio)
        lines.append(f"S = {comparison.setting.num_stages}: "
                     f"{_ratio_text('LocalSGD/PD', ratio)} ({_interval(local)}; "
                     f"{_interval(pipedream)})")
    falls = ratios[-1][0] < ratios[0][0]
    lower, beyond = falls and ratios[-1][0] < 1, falls and ratios[-1][2] < 1
    return _verdict("LocalSGD becomes better than PipeDream on logistic regression as S grows",
                    experiment, f"LocalSGD/PD, by {PAIRED}, lower at the largest S than at the "
                    "smallest, and below 1 at the largest S", lower, beyond, "; ".join(lines))


def rpd_tracks(comparison: Comparison, special: int, experiment: str) -> list[Claim]:
    """The three RPD claims of the module docstring."""
    [pipedream] = _by_kind(comparison, "pipedream")
    rpds = _by_kind(comparison, "rpd")
    options = {outcome.spec.name: dict(outcome.spec.options) for outcome in rpds}
    uniform = sorted((outcome for outcome in rpds if "max_delay" in options[outcome.spec.name]),
                     key=lambda outcome: options[outcome.spec.name]["max_delay"])
    [matched] = [outcome for outcome in uniform
                 if options[outcome.spec.name]["max_delay"] == special]
    ratio = paired_ratio(matched, pipedream)
    tracks = ratio[1] >= 1 / TRACK_FACTOR and ratio[2] <= TRACK_FACTOR
    claims = [Claim(f"RPD with delta = S^2 - ceil(S/2) = {special} tracks PipeDream",
                    experiment, f"RPD/PD, by {PAIRED}, inside [1/{TRACK_FACTOR:g}, "
                    f"{TRACK_FACTOR:g}]", tracks,
                    f"{_ratio_text('paired ratio RPD/PD', ratio)}; {_interval(matched)}; "
                    f"{_interval(pipedream)}",
                    "" if tracks else "RPD's gap is not within a factor 2 of PD's")]
    replayed = [outcome for outcome in rpds if options[outcome.spec.name].get("delays")
                == "pipedream"]
    if replayed:
        ratio = replayed[0].interval[0] / pipedream.interval[0]
        same = abs(ratio - 1) <= 1e-9
        claims.append(Claim("RPD with PipeDream's replayed delays makes PipeDream's updates",
                            experiment, "ratio of mean final gaps equal to 1 (to 1e-9)", same,
                            f"ratio {ratio:.12g}; {_interval(replayed[0])}"))
    means = [outcome.interval[0] for outcome in uniform]
    ordered = all(first <= second for first, second in pairwise(means))
    claims.append(Claim("RPD's final gap grows with delta (8 and 30 faster than PD, 180 and "
                        "420 slower)", experiment, "mean final gap non-decreasing in delta",
                        ordered, "; ".join(_interval(outcome) for outcome in uniform),
                        "" if ordered else "the order in delta is broken"))
    return claims


def markdown(claims: list[Claim]) -> str:
    """The claims table."""
    lines = ["| claim | experiment | measure | status | numbers (mean [95% interval]) | "
             "finding |", "|---|---|---|---|---|---|"]
    for claim in claims:
        record = claim.to_json()
        lines.append(f"| {claim.claim} | {claim.experiment} | {claim.measure} | "
                     f"{record['status']} | {claim.numbers} | {claim.finding} |")
    return "\n".join(lines)


def _measured(ratio: tuple[float, float, float]) -> str:
    """The winner by the paired ratio LocalSGD/PD beyond seed noise, or "undecided"."""
    if ratio[1] > 1:
        return "pipedream"
    if ratio[2] < 1:
        return "localsgd"
    return "undecided"


def eps_predictions(parts: list[tuple[str, Comparison]], experiment: str) -> Claim:
    """CMP-EPS predicts the winner of every (PD, LocalSGD H) pair (:mod:`.predictions`)."""
    from pipeproof.checks.experiments.predictions import predict, setting_constants

    agree, lines = [], []
    for label, comparison in parts:
        setting = comparison.setting
        constants = setting_constants(setting)
        [pipedream] = _by_kind(comparison, "pipedream")
        lines.append(f"{label}: L {number(constants.L)}, F0 {number(constants.F0)}, sigma^2 "
                     f"{number(constants.sigma2)}, G^2 {number(constants.G2)}")
        for local in _by_kind(comparison, "localsgd"):
            options = dict(local.spec.options)
            steps = options.get("local_steps", 1)
            runs = options.get("num_runs", setting.num_stages)
            guess = predict(constants, setting.num_stages, runs, steps, setting.slot_budget)
            ratio = paired_ratio(local, pipedream)
            seen = _measured(ratio)
            agree.append(guess.winner == seen)
            lines.append(f"{local.spec.name}: bound PD {number(guess.pd_bound)} (step "
                         f"{guess.pd_step:.3g}) vs LocalSGD {number(guess.lsgd_bound)} (step "
                         f"{guess.lsgd_step:.3g}), predicted {guess.winner}; measured "
                         f"{_ratio_text('LocalSGD/PD', ratio)}, {seen}")
    held = all(agree)
    finding = "" if held else (f"the prediction fails for {agree.count(False)} of "
                               f"{len(agree)} pairs (upper bounds, not the methods)")
    return Claim("CMP-EPS predicts the winner (these compare upper bounds)", experiment,
                 "for each (PD, LocalSGD H) pair, the predicted winner is the method whose "
                 "guarantee (CONV-VAR, D = delta^2, delta = S^2 - ceil(S/2); CMP-LSGD-BOUND) "
                 "is lower at the slot budget, each at its best step size of the guarantee, "
                 "with L, F0, sigma^2, G^2 measured at x0; it must equal the measured winner "
                 f"beyond seed noise by {PAIRED}", held, "; ".join(lines), finding)
