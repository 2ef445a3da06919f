"""The paper's experiments: their records match the authors' configurations, the quick versions
run and write their files, and the claims are judged by their stated measures."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from pipeproof.checks.cli.main import main
from pipeproof.checks.experiments import claims
from pipeproof.checks.experiments.catalog import EXPERIMENTS, experiment
from pipeproof.checks.experiments.methods import MethodSpec, parse_methods
from pipeproof.checks.experiments.runner import run_all, run_experiment, validate
from pipeproof.checks.experiments.sweep import Comparison, MethodOutcome, Setting
from pipeproof.theory.parameters import ParameterError

HAS_TORCH = importlib.util.find_spec("torch") is not None
NUMPY_EXPERIMENTS = [name for name in EXPERIMENTS if name != "pd-vs-localsgd-lm"]


def test_five_experiments_in_the_papers_order() -> None:
    assert list(EXPERIMENTS) == ["pd-vs-rpd", "pd-vs-localsgd-quadratic",
                                 "pd-vs-localsgd-logistic", "scaling-logistic",
                                 "pd-vs-localsgd-lm"]
    for item in EXPERIMENTS.values():
        assert item.seeds >= 5 and item.source and item.quick


def test_the_authors_configurations() -> None:
    """The numbers of the authors' notebooks (see each record's source)."""
    rpd, variant = experiment("pd-vs-rpd").parts
    assert dict(variant.options)["batching"] == "random"
    options = dict(rpd.options)
    assert (rpd.objective, rpd.num_stages, rpd.slot_budget) == ("quadratic", 8, 614)
    assert (options["dim"], options["num_samples"], options["batch_size"]) == (512, 600, 10)
    assert options["label_noise"] == 0.0 and options["batching"] == "cyclic"
    names = [spec.name for spec in parse_methods(rpd.methods)]
    assert names == ["pipedream", *(f"rpd:delta={d}" for d in (8, 30, 60, 180, 420)),
                     "rpd:delays=pipedream"]
    assert rpd.grid_of("rpd") == "2^-8..2^0"
    quadratic = experiment("pd-vs-localsgd-quadratic").parts[0]
    assert (quadratic.objective, quadratic.num_stages, quadratic.slot_budget) == (
        "tridiagonal", 16, 1230)
    assert dict(quadratic.options)["batch_size"] == 5
    assert quadratic.grid_of("pipedream") == "2^-12..2^-3"
    assert quadratic.grid_of("localsgd") == "2^-8..2^2"
    assert [spec.run_options() for spec in parse_methods(quadratic.methods)][1:] == [
        {"local_steps": h} for h in (2, 5, 30)]
    logistic = experiment("pd-vs-localsgd-logistic").parts
    assert {dict(part.options).get("noise", 0.0) for part in logistic} == {0.0, 0.5}
    assert all(dict(part.options)["labels"] == "bernoulli" for part in logistic)
    assert {(part.num_stages, part.slot_budget) for part in logistic} == {(16, 830)}
    assert [(dict(part.options)["num_samples"], dict(part.options)["batch_size"])
            for part in logistic] == [(600, 5)] * 3 + [(50, 1)]
    assert {dict(part.options)["dim"] for part in logistic} == {512}
    assert logistic[0].grid_of("pipedream") == "2^-12..2^-3"
    assert logistic[0].grid_of("localsgd") == "2^-8..2^2"
    scaling = experiment("scaling-logistic").parts
    assert [part.num_stages for part in scaling] == [2, 4, 8, 16, 32]
    assert {part.slot_budget for part in scaling} == {3180}
    for part in scaling:
        options = dict(part.options)
        assert (options["dim"], options["num_samples"], options["batch_size"]) == (512, 50, 1)
        assert options["noise"] == 0.5 and options["batching"] == "cyclic"
        assert part.grid_of("pipedream") == part.grid_of("rpd") == "2^-12..2^-3"
        assert part.grid_of("localsgd") == "2^-8..2^2"
    assert "rpd:delta=1008" in scaling[-1].methods and "localsgd:H=5" in scaling[-1].methods


@pytest.mark.skipif(not HAS_TORCH, reason="the language model needs PyTorch")
def test_every_run_of_every_experiment_is_valid() -> None:
    validate(list(EXPERIMENTS.values()), quick=False)
    validate(list(EXPERIMENTS.values()), quick=True)


def test_unknown_experiment_is_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["experiment", "resnet", "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert "experiment must be one of pd-vs-rpd" in err and "\n" not in err
    with pytest.raises(ParameterError):
        experiment("resnet")


def test_listing(capsys: pytest.CaptureFixture) -> None:
    assert main(["experiments"]) == 0
    printed = capsys.readouterr().out
    for name in EXPERIMENTS:
        assert name in printed


def outcome(name: str, method: str, gaps: list[float]) -> MethodOutcome:
    from pipeproof.checks.experiments.statistics import mean_interval

    spec = MethodSpec(name, method, tuple(sorted(parse_methods(name)[0].options)))
    curve = (np.zeros(2),) * 4
    return MethodOutcome(spec, 0.1, tuple(gaps), mean_interval(gaps), 10, ((0.1, 1.0),),
                         curve, False)


def comparison(stages: int, *outcomes: MethodOutcome) -> Comparison:
    return Comparison(Setting("quadratic", stages, 10, (0, 1, 2)), (0.1,), outcomes)


def test_pipedream_better_needs_the_paired_interval_above_one() -> None:
    pd = outcome("pipedream", "pipedream", [1.0, 2.0, 4.0])
    clear = comparison(4, pd, outcome("localsgd:H=2", "localsgd", [3.0, 6.1, 11.0]))
    assert claims.pipedream_better(clear, "c", "e").reproduced
    noisy = comparison(4, pd, outcome("localsgd:H=2", "localsgd", [3.0, 1.0, 8.0]))
    verdict = claims.pipedream_better(noisy, "c", "e")
    assert not verdict.reproduced and "within seed noise" in verdict.finding
    worse = comparison(4, pd, outcome("localsgd:H=2", "localsgd", [0.5, 1.0, 2.0]))
    finding = claims.pipedream_better(worse, "c", "e").finding
    assert finding.startswith("the other method is better; in T = 10 slots")
    diverged = comparison(4, pd, outcome("localsgd:H=2", "localsgd", [3.0, math.inf, 8.0]))
    assert claims.pipedream_better(diverged, "c", "e").reproduced
    failed = outcome("pipedream", "pipedream", [1.0, math.inf, 4.0])
    other = comparison(4, failed, outcome("localsgd:H=2", "localsgd", [3.0, 6.1, 11.0]))
    assert not claims.pipedream_better(other, "c", "e").reproduced
    both = comparison(4, failed, outcome("localsgd:H=2", "localsgd", [3.0, math.inf, 11.0]))
    assert not claims.pipedream_better(both, "c", "e").reproduced


def test_localsgd_better_as_stages_grow() -> None:
    def part(stages: int, local: list[float]) -> Comparison:
        return comparison(stages, outcome("pipedream", "pipedream", [1.0, 1.1, 0.9]),
                          outcome("localsgd:H=5", "localsgd", local))
    grows = [part(2, [1.2, 1.3, 1.1]), part(32, [0.3, 0.31, 0.28])]
    assert claims.localsgd_better_as_stages_grow(grows, "e").reproduced
    flat = [part(2, [0.5, 0.55, 0.45]), part(32, [0.6, 0.65, 0.55])]
    assert not claims.localsgd_better_as_stages_grow(flat, "e").reproduced


def test_findings_give_the_step_counts() -> None:
    """S = R = 16, H = 5, T = 830: PipeDream M = 830/2 - 15 = 400 model steps, each LocalSGD copy
    K = 5 x 830/(2 (16 x 5 + 15)) = 21.8 local steps."""
    pd = outcome("pipedream", "pipedream", [1.0, 1.1, 0.9])
    local = outcome("localsgd:H=5", "localsgd", [2.0, 2.3, 1.9])
    verdict = claims.localsgd_better(Comparison(Setting("logistic", 16, 830, (0, 1, 2)), (0.1,),
                                                (pd, local)), "c", "e")
    assert not verdict.reproduced
    assert verdict.finding.startswith("the other method is better; in T = 830 slots")
    assert "M = 400 model steps" in verdict.finding and "K = 21.8 local steps" in verdict.finding
    assert "R = 16 copies: 18.3x fewer" in verdict.finding
    data = Comparison(Setting("logistic", 16, 830, (0, 1, 2), (("batch_size", 5), ("dim", 512),
                                                               ("num_samples", 600))),
                      (0.1,), (pd, local))
    assert "on n = 600 rows of d = 512 (B = 5), in T = 830 slots" in claims.localsgd_better(
        data, "c", "e").finding
    held = claims.localsgd_better(Comparison(Setting("logistic", 16, 830, (0, 1, 2)), (0.1,),
                                             (pd, outcome("localsgd:H=2", "localsgd",
                                                          [0.2, 0.21, 0.19]))), "c", "e")
    assert held.reproduced
    close = claims.localsgd_better(Comparison(Setting("logistic", 16, 830, (0, 1, 2)), (0.1,),
                                              (pd, outcome("localsgd:H=5", "localsgd",
                                                           [0.9, 1.3, 1.0]))), "c", "e")
    assert close.finding.startswith("the other method is lower, within seed noise")
    assert held.finding == ""


def test_scaling_finding_names_the_ratios_at_both_ends() -> None:
    def part(stages: int, local: list[float]) -> Comparison:
        return Comparison(Setting("logistic", stages, 3180, (0, 1, 2)), (0.1,),
                          (outcome("pipedream", "pipedream", [1.0, 1.1, 0.9]),
                           outcome("localsgd:H=5", "localsgd", local)))
    flat = claims.localsgd_better_as_stages_grow([part(2, [0.5, 0.55, 0.45]),
                                                  part(32, [0.6, 0.65, 0.55])], "e")
    assert not flat.reproduced
    assert "LocalSGD/PD 0.5 at S = 2 and 0.6006 at S = 32 (it does not fall)" in flat.finding
    assert "M = 1559 model steps" in flat.finding


def test_rpd_finding_names_the_batching() -> None:
    pd = outcome("pipedream", "pipedream", [1.0, 2.0, 4.0])
    far = outcome("rpd:delta=60", "rpd", [3.0, 6.5, 11.0])
    cyclic = Comparison(Setting("quadratic", 8, 614, (0, 1, 2),
                                (("batch_size", 10), ("batching", "cyclic"),
                                 ("num_samples", 600))), (0.1,), (pd, far))
    finding = claims.rpd_tracks(cyclic, 60, "e")[0].finding
    assert "the batching" in finding and "n/B = 60 fixed batches" in finding
    random = Comparison(Setting("quadratic", 8, 614, (0, 1, 2),
                                (("batch_size", 10), ("batching", "random"),
                                 ("num_samples", 600))), (0.1,), (pd, far))
    finding = claims.rpd_tracks(random, 60, "e")[0].finding
    assert "the delays" in finding and "0..60" in finding
    inverted = [outcome("rpd:delta=8", "rpd", [3.0, 3.0, 3.0]),
                outcome("rpd:delta=60", "rpd", [1.0, 2.0, 4.0])]
    order = claims.rpd_tracks(comparison(8, pd, *inverted), 60, "e")[-1]
    assert not order.reproduced and "rpd:delta=8 3 > rpd:delta=60 2.333" in order.finding


def test_rpd_tracks() -> None:
    pd = outcome("pipedream", "pipedream", [1.0, 2.0, 4.0])
    rpds = [outcome(f"rpd:delta={d}", "rpd", [g * f for g in (1.0, 2.0, 4.0)])
            for d, f in ((8, 0.5), (60, 1.2), (420, 3.0))]
    replay = outcome("rpd:delays=pipedream", "rpd", [1.0, 2.0, 4.0])
    verdicts = claims.rpd_tracks(comparison(8, pd, *rpds, replay), 60, "e")
    assert [verdict.reproduced for verdict in verdicts] == [True, True, True]
    far = [outcome("rpd:delta=60", "rpd", [3.0, 6.5, 11.0])]
    assert not claims.rpd_tracks(comparison(8, pd, *far), 60, "e")[0].reproduced


@pytest.mark.parametrize("name", ["pd-vs-rpd", "pd-vs-localsgd-quadratic"])
def test_quick_experiment_writes_parts_and_claims(tmp_path: Path, name: str) -> None:
    verdicts, _ = run_experiment(experiment(name), True, tmp_path)
    folder = tmp_path / name
    record = json.loads((folder / "claims.json").read_text())
    assert record["quick"] and record["claims"] == [claim.to_json() for claim in verdicts]
    assert {claim["status"] for claim in record["claims"]} <= {"reproduced", "not reproduced"}
    for part in experiment(name).quick:
        assert json.loads((folder / f"{part.label}.json").read_text())["slot_budget"] == (
            part.slot_budget)
    assert "| claim |" in (folder / "claims.md").read_text()
    predicted = [claim for claim in verdicts if claim.claim.startswith("CMP-EPS")]
    assert len(predicted) == (name != "pd-vs-rpd")
    assert all("predicted" in claim.numbers for claim in predicted)
    assert all(claim.finding for claim in verdicts if not claim.reproduced)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pd-vs-localsgd-logistic", "scaling-logistic",
                                  "pd-vs-localsgd-lm"])
def test_slower_quick_experiments(tmp_path: Path, name: str) -> None:
    if name == "pd-vs-localsgd-lm" and not HAS_TORCH:
        pytest.skip("the language model needs PyTorch")
    verdicts, _ = run_experiment(experiment(name), True, tmp_path)
    assert verdicts and (tmp_path / name / "claims.md").exists()
    assert all(claim.finding for claim in verdicts if not claim.reproduced)
    if name == "scaling-logistic":
        rows = json.loads((tmp_path / name / "scaling.json").read_text())["rows"]
        assert {row["num_stages"] for row in rows} == {2, 4, 8}


def test_all_writes_one_claims_table(tmp_path: Path) -> None:
    chosen = [experiment("pd-vs-localsgd-quadratic")]
    lines = run_all(chosen, True, tmp_path)
    record = json.loads((tmp_path / "claims.json").read_text())
    assert record["experiments"] == ["pd-vs-localsgd-quadratic"]
    assert "wall_seconds" in record and "# Claims (quick run" in (
        tmp_path / "claims.md").read_text()
    assert any(line.startswith("all: ") for line in lines)
