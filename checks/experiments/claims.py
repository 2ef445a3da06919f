"""The paper's claims, judged on the comparisons of the experiments.

Each claim has a measure stated in advance and is marked "reproduced" or "not reproduced",
with the numbers (means and 95% intervals over the seeds). "Beyond seed noise" means that the
two intervals do not overlap (:func:`~.statistics.separated`). A claim whose direction holds but
not beyond seed noise is "not reproduced" with the finding "within seed noise".

* PipeDream better than LocalSGD (quadratic; language model): PD's mean final gap is below every
  LocalSGD variant's, beyond seed noise.
* LocalSGD better on logistic regression (S = 16): the best LocalSGD variant's mean is below
  PD's, beyond seed noise.
* LocalSGD better on logistic regression as S grows: the ratio LocalSGD / PD of mean final gaps
  falls from the smallest to the largest S, and at the largest S LocalSGD is below PD beyond
  seed noise.
* RPD with delta = S^2 - ceil(S/2) tracks PipeDream: the ratio of their mean final gaps lies in
  [1/2, 2]; with PipeDream's replayed delays the ratio is 1 (the same updates); and RPD's mean
  final gap does not fall as delta grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pipeproof.checks.experiments.statistics import separated
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


def _wins(best: MethodOutcome, others: list[MethodOutcome]) -> tuple[bool, bool]:
    """(lower mean than all others, and beyond seed noise against each)."""
    lower = all(best.interval[0] < other.interval[0] for other in others)
    return lower, lower and all(separated(best.interval, other.interval) for other in others)


def _verdict(claim: str, experiment: str, measure: str, lower: bool, beyond: bool,
             numbers: str) -> Claim:
    finding = "" if beyond else ("within seed noise: the direction holds, the intervals "
                                 "overlap" if lower else "the other method is better")
    return Claim(claim, experiment, measure, beyond, numbers, finding)


def pipedream_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """PD below every LocalSGD variant, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    others = _by_kind(comparison, "localsgd")
    lower, beyond = _wins(pipedream, others)
    numbers = "; ".join(_interval(outcome) for outcome in [pipedream, *others])
    return _verdict(claim, experiment, "PD's mean final gap below every LocalSGD variant's, "
                    "95% intervals apart", lower, beyond, numbers)


def localsgd_better(comparison: Comparison, claim: str, experiment: str) -> Claim:
    """The best LocalSGD variant below PD, beyond seed noise."""
    [pipedream] = _by_kind(comparison, "pipedream")
    best = min(_by_kind(comparison, "localsgd"), key=lambda outcome: outcome.interval[0])
    lower, beyond = _wins(best, [pipedream])
    numbers = f"{_interval(best)}; {_interval(pipedream)}"
    return _verdict(claim, experiment, "best LocalSGD mean final gap below PD's, 95% intervals "
                    "apart", lower, beyond, numbers)


def localsgd_better_as_stages_grow(parts: list[Comparison], experiment: str) -> Claim:
    """LocalSGD / PD falls from the smallest to the largest S; LocalSGD wins at the largest."""
    ratios, lines = [], []
    for comparison in sorted(parts, key=lambda part: part.setting.num_stages):
        [pipedream] = _by_kind(comparison, "pipedream")
        [local] = _by_kind(comparison, "localsgd")
        ratio = local.interval[0] / pipedream.interval[0] if pipedream.interval[0] else 0.0
        ratios.append(ratio)
        lines.append(f"S = {comparison.setting.num_stages}: LocalSGD/PD {number(ratio)} "
                     f"({_interval(local)}; {_interval(pipedream)})")
    last = max(parts, key=lambda part: part.setting.num_stages)
    lower, beyond = _wins(_by_kind(last, "localsgd")[0], _by_kind(last, "pipedream"))
    falls = ratios[-1] < ratios[0]
    return _verdict("LocalSGD becomes better than PipeDream on logistic regression as S grows",
                    experiment, "LocalSGD/PD ratio of mean final gaps lower at the largest S "
                    "than at the smallest, and LocalSGD below PD at the largest S with 95% "
                    "intervals apart", falls and lower, falls and beyond, "; ".join(lines))


def rpd_tracks(comparison: Comparison, special: int, experiment: str) -> list[Claim]:
    """The three RPD claims of the module docstring."""
    [pipedream] = _by_kind(comparison, "pipedream")
    rpds = _by_kind(comparison, "rpd")
    options = {outcome.spec.name: dict(outcome.spec.options) for outcome in rpds}
    uniform = sorted((outcome for outcome in rpds if "max_delay" in options[outcome.spec.name]),
                     key=lambda outcome: options[outcome.spec.name]["max_delay"])
    [matched] = [outcome for outcome in uniform
                 if options[outcome.spec.name]["max_delay"] == special]
    ratio = matched.interval[0] / pipedream.interval[0]
    tracks = 1 / TRACK_FACTOR <= ratio <= TRACK_FACTOR
    claims = [Claim(f"RPD with delta = S^2 - ceil(S/2) = {special} tracks PipeDream",
                    experiment, f"ratio of mean final gaps RPD/PD in [1/{TRACK_FACTOR:g}, "
                    f"{TRACK_FACTOR:g}]", tracks,
                    f"ratio {number(ratio)}; {_interval(matched)}; {_interval(pipedream)}",
                    "" if tracks else "RPD's gap is more than a factor 2 from PD's")]
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
