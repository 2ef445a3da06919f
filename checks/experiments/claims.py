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
             numbers: str, why: str = "", undecided: bool = False) -> Claim:
    """The claim held when ``beyond``; otherwise the finding says how it failed (``undecided``:
    the paired interval contains 1), then ``why``."""
    if lower:
        finding = "within seed noise: the direction holds, the paired interval contains 1"
    elif undecided:
        finding = "the other method is lower, within seed noise (the paired interval contains 1)"
    else:
        finding = "the other method is better"
    finding = "" if beyond else finding
    if finding and why:
        finding = f"{finding}; {why}"
    return Claim(claim, experiment, measure, beyond, numbers, finding)


def step_counts(comparison: Comparison, local: MethodOutcome) -> str:
    """What each method does in the budget T: PipeDream M = T/2 - (S - 1) model steps of B rows
    (every block once per microbatch, S M block updates), each LocalSGD copy K = H T/(2[max(R,
    S) H + min(R, S) - 1]) local steps, its average a mean over R copies (:mod:`.predictions`)."""
    from pipeproof.checks.experiments.predictions import lsgd_steps, pd_updates

    setting = comparison.setting
    stages, budget = setting.num_stages, setting.slot_budget
    options = dict(local.spec.options)
    runs, steps = options.get("num_runs", stages), options.get("local_steps", 1)
    model_steps = pd_updates(stages, budget) / stages
    copy_steps = lsgd_steps(stages, runs, steps, budget)
    data = dict(setting.options)
    rows = (f"on n = {data['num_samples']} rows of d = {data['dim']} (B = "
            f"{data.get('batch_size', '?')}), " if {"num_samples", "dim"} <= data.keys() else "")
    return (f"{rows}in T = {budget} slots PipeDream makes M = {model_steps:.0f} model steps (block "
            f"lag at most S - 1 = {stages - 1}) and each {local.spec.name} copy K = "
            f"{copy_steps:.1f} local steps, averaged over R = {runs} copies: "
            f"{model_steps / copy_steps:.1f}x fewer sequential steps for LocalSGD")


PAIRED = ("the paired ratio of final gaps (geometric mean over the seeds, each seed's runs on "
          "the same data) with its 95% t interval")


def pipedream_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """PD below every LocalSGD variant, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    others = _by_kind(comparison, "localsgd")
    lower, beyond, ratios = _wins(pipedream, others)
    numbers = "; ".join(_interval(outcome) for outcome in [pipedream, *others])
    unbeaten = [other for other in others if not paired_ratio(other, pipedream)[1] > 1]
    why = step_counts(comparison, unbeaten[0]) if unbeaten else ""
    return _verdict(claim, experiment, f"LocalSGD/PD above 1 for every H, by {PAIRED}", lower,
                    beyond, f"{numbers}; {ratios}", why)


def localsgd_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """The best LocalSGD variant below PD, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    best = min(_by_kind(comparison, "localsgd"), key=lambda outcome: outcome.interval[0])
    lower, beyond, ratios = _wins(best, [pipedream])
    numbers = f"{_interval(best)}; {_interval(pipedream)}; {ratios}"
    ratio = paired_ratio(pipedream, best)
    return _verdict(claim, experiment, f"PD/best LocalSGD above 1, by {PAIRED}", lower, beyond,
                    numbers, step_counts(comparison, best), ratio[1] <= 1 <= ratio[2])


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
    ordered = sorted(parts, key=lambda part: part.setting.num_stages)
    why = (f"LocalSGD/PD {number(ratios[0][0])} at S = {ordered[0].setting.num_stages} and "
           f"{number(ratios[-1][0])} at S = {ordered[-1].setting.num_stages}"
           + ("" if falls else " (it does not fall)") + "; at the largest S "
           + step_counts(ordered[-1], _by_kind(ordered[-1], "localsgd")[0]))
    return _verdict("LocalSGD becomes better than PipeDream on logistic regression as S grows",
                    experiment, f"LocalSGD/PD, by {PAIRED}, lower at the largest S than at the "
                    "smallest, and below 1 at the largest S", lower, beyond, "; ".join(lines),
                    why, ratios[-1][1] <= 1 <= ratios[-1][2])


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
    finding = "" if tracks else (f"RPD's gap is not within a factor {TRACK_FACTOR:g} of PD's "
                                 f"(paired ratio {number(ratio[0])}): "
                                 f"{batching_reason(comparison.setting, special)}")
    claims = [Claim(f"RPD with delta = S^2 - ceil(S/2) = {special} tracks PipeDream",
                    experiment, f"RPD/PD, by {PAIRED}, inside [1/{TRACK_FACTOR:g}, "
                    f"{TRACK_FACTOR:g}]", tracks,
                    f"{_ratio_text('paired ratio RPD/PD', ratio)}; {_interval(matched)}; "
                    f"{_interval(pipedream)}", finding)]
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
    broken = "; ".join(f"{first.spec.name} {number(first.interval[0])} > {second.spec.name} "
                       f"{number(second.interval[0])}"
                       for first, second in pairwise(uniform)
                       if first.interval[0] > second.interval[0])
    claims.append(Claim("RPD's final gap grows with delta (8 and 30 faster than PD, 180 and "
                        "420 slower)", experiment, "mean final gap non-decreasing in delta",
                        ordered, "; ".join(_interval(outcome) for outcome in uniform),
                        "" if ordered else f"the order in delta is broken: {broken}"))
    return claims


def batching_reason(setting, special: int) -> str:
    """Why RPD and PipeDream differ beyond the delay, from the batching of ``setting``."""
    options = dict(setting.options)
    if options.get("batching") == "cyclic":
        count = options.get("num_samples", 0) // max(options.get("batch_size", 1), 1)
        return (f"the batching: PipeDream reads the n/B = {count} fixed batches in order "
                f"(microbatch m reads batch m mod {count}), RPD draws one of them uniformly at "
                "each block update, so they differ in the samples as well as in the delays; "
                "with random batching both draw B rows with replacement and only the delays "
                "differ")
    return (f"the delays: both draw B rows with replacement, so only RPD's uniform delays in "
            f"0..{special} against PipeDream's structured ones (block lag at most S - 1 = "
            f"{setting.num_stages - 1}) differ")


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

    agree, lines, failed, undecided = [], [], [], 0
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
            if guess.winner != seen:
                failed.append((guess, setting.num_stages))
                undecided += seen == "undecided"
            lines.append(f"{local.spec.name}: bound PD {number(guess.pd_bound)} (step "
                         f"{guess.pd_step:.3g}) vs LocalSGD {number(guess.lsgd_bound)} (step "
                         f"{guess.lsgd_step:.3g}), predicted {guess.winner}; measured "
                         f"{_ratio_text('LocalSGD/PD', ratio)}, {seen}")
    held = all(agree)
    finding = "" if held else (f"the prediction fails for {agree.count(False)} of "
                               f"{len(agree)} pairs (upper bounds, not the methods; "
                               f"{undecided} of them undecided by the runs): "
                               f"{dominant_terms(failed)}; the bounds, not the methods, decide")
    return Claim("CMP-EPS predicts the winner (these compare upper bounds)", experiment,
                 "for each (PD, LocalSGD H) pair, the predicted winner is the method whose "
                 "guarantee (CONV-VAR, D = delta^2, delta = S^2 - ceil(S/2); CMP-LSGD-BOUND) "
                 "is lower at the slot budget, each at its best step size of the guarantee, "
                 "with L, F0, sigma^2, G^2 measured at x0; it must equal the measured winner "
                 f"beyond seed noise by {PAIRED}", held, "; ".join(lines), finding)


TERM_NAMES = {("pipedream", "square"): "stale-read term L^2 delta^2 G^2 gamma^2",
              ("pipedream", "variance"): "variance term L sigma^2 gamma",
              ("pipedream", "start"): "start term 2 S F0/(gamma K)",
              ("localsgd", "square"): "drift term L^2 sigma^2 (H - 1) gamma^2",
              ("localsgd", "variance"): "variance term L sigma^2 gamma/R",
              ("localsgd", "start"): "start term 2 F0/(gamma K)"}
"""The terms of CONV-VAR (PipeDream) and CMP-LSGD-BOUND (LocalSGD) (:mod:`.predictions`)."""


def _limit_text(method: str, limit: str) -> str:
    if limit == "cap":
        return "its step cap"
    return TERM_NAMES[(method, "square" if limit == "gamma^2" else limit)]


def dominant_terms(failed: list) -> str:
    """For the pairs the prediction got wrong ((prediction, S) each): the larger guarantee
    (the predicted loser's), how many times the other it is, which term sets its best step,
    and the shares of its gamma^2 and variance terms in it, as ranges over the pairs."""
    groups: dict[tuple[str, str], list] = {}
    for guess, stages in failed:
        loser = "localsgd" if guess.winner == "pipedream" else "pipedream"
        found = guess.pd_terms if loser == "pipedream" else guess.lsgd_terms
        if found is None:
            return "the terms of the guarantees were not recorded"
        groups.setdefault((loser, found.limit), []).append((guess, found, stages))
    texts = []
    for (loser, limit), items in groups.items():
        ratios = [guess.pd_bound / guess.lsgd_bound if loser == "pipedream"
                  else guess.lsgd_bound / guess.pd_bound for guess, _, _ in items]
        square = [found.share("square") for _, found, _ in items]
        variance = [found.share("variance") for _, found, _ in items]
        name = "PipeDream's" if loser == "pipedream" else "LocalSGD's"
        delta = ", ".join(sorted({f"delta = {stages * stages - (stages + 1) // 2}"
                                  for _, _, stages in items}))
        extra = f" ({delta})" if loser == "pipedream" else ""
        texts.append(
            f"in {len(items)} pair(s) the larger guarantee is {name} ({_span(ratios)}x the "
            f"other), "
            f"its best step set by the {_limit_text(loser, limit)}{extra}, with the "
            f"{TERM_NAMES[(loser, 'square')]} {_span(square, True)}% and the "
            f"{TERM_NAMES[(loser, 'variance')]} {_span(variance, True)}% of it")
    return "; ".join(texts)


def _span(values: list[float], percent: bool = False) -> str:
    """min-max of ``values`` (as whole percentages with ``percent``; 3 digits otherwise)."""
    texts = [f"{100 * value:.0f}" if percent else f"{value:.3g}"
             for value in (min(values), max(values))]
    return texts[0] if texts[0] == texts[1] else f"{texts[0]}-{texts[1]}"
