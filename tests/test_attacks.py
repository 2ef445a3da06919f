"""The attack suite: small plausible edits of the package must make the main job fail.

Each mutation replaces one piece of text, exactly once, in one file of a copy of the package
(theory/, checks/, pyproject.toml, and the fixture theorems of ``attack_fixtures``), then runs
``pipeproof --only IDS --profile quick --json ...`` in that copy. The mutation is killed
when the run exits non-zero, or reports a theorem refuted that is not expected to be. The
unmutated copy must pass on the same ids first, so that a kill means the edit was noticed.

Run with ``pytest -m attack``; the kill ratio and each mutation's time are printed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "attack_fixtures.py"
REGISTER = ("\nfrom pipeproof.theory.catalogue import attack_fixtures  # noqa: E402\n\n"
            "SECTIONS = (*SECTIONS, attack_fixtures)\n")

pytestmark = pytest.mark.attack


@dataclass(frozen=True)
class Mutation:
    """Replace ``old`` by ``new`` (exactly once) in ``path``; ``targets`` must then fail."""

    name: str
    path: str
    old: str
    new: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """The main job's exit code, its JSON (None when it wrote none) and its time."""

    code: int
    report: dict | None
    seconds: float
    output: str


def copy_package(destination: Path) -> Path:
    """A copy of the package with the fixture theorems in its catalogue: ``pipeproof/`` with
    ``theory/`` and ``checks/`` inside, so that with the copy first on the path ``pipeproof``
    is imported from it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    package = destination / "pipeproof"
    shutil.copytree(ROOT / "src" / "pipeproof", package, ignore=ignore)
    for folder in ("theory", "checks"):
        shutil.copytree(ROOT / folder, package / folder, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", destination / "pyproject.toml")
    catalogue = package / "theory" / "catalogue"
    shutil.copy2(FIXTURES, catalogue / "attack_fixtures.py")
    init = catalogue / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + REGISTER, encoding="utf-8")
    return destination


def mutate(root: Path, mutation: Mutation) -> None:
    """Apply ``mutation`` to the copy at ``root``, asserting the text occurs exactly once."""
    path = root / "pipeproof" / mutation.path
    text = path.read_text(encoding="utf-8")
    count = text.count(mutation.old)
    assert count == 1, f"{mutation.name}: {mutation.old!r} occurs {count} times in {mutation.path}"
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")


def run_main(root: Path, ids: tuple[str, ...]) -> Run:
    """``pipeproof --only ids --profile quick --json`` with the copy as cwd and path."""
    output = root / "verdicts.json"
    output.unlink(missing_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeproof.checks", "--only", *ids, "--profile", "quick", "--json",
         str(output)], cwd=root, env=environment, capture_output=True, text=True, timeout=600)
    report = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
    return Run(done.returncode, report, time.perf_counter() - started,
               done.stdout[-2000:] + done.stderr[-2000:])


def killed(run: Run) -> bool:
    """The run failed, or it reports a refutation of a theorem expected to hold."""
    if run.code != 0:
        return True
    return any(t["status"] == "refuted" and t["expected"] != "refuted"
               for t in (run.report or {}).get("theorems", []))


SPLIT, EVEN, MOD4 = "ATK-SPLIT", "ATK-EVEN", "ATK-MOD4"
SPLITS = (SPLIT, EVEN, MOD4)

MUTATIONS = (
    Mutation("split drops a residue class", "checks/provers/parity.py",
             "range(modulus) for _, modulus in normal",
             "range(modulus - 1) for _, modulus in normal", SPLITS),
    Mutation("Z3 proves only the first case", "checks/provers/smt.py",
             "        proved.append((label, substitution))\n    return split_verdict(",
             "        proved.append((label, substitution))\n        break\n"
             "    return split_verdict(", SPLITS),
    Mutation("SymPy proves only the first case", "checks/provers/symbolic.py",
             "            proved.append((label, substitution))\n            continue",
             "            proved.append((label, substitution))\n            break",
             SPLITS),
    Mutation("Z3 skips the vacuity check", "checks/provers/smt.py",
             "    if hypotheses != z3.sat:\n"
             "        return hypotheses, solver, encoder, hypotheses\n",
             "    hypotheses = z3.sat\n", ("ATK-VACUOUS",)),
    Mutation("SymPy skips the vacuity check", "checks/provers/symbolic.py",
             "        empty = vacuity(case)", "        empty = None", ("ATK-VACUOUS",)),
    Mutation("status is the strongest verdict", "checks/runner.py",
             "        return self.outcome.status",
             "        return strongest([verdict.status for verdict in self.verdicts])",
             ("ATK-GAP",)),
    Mutation("status ignores coverage", "checks/verdict.py",
             '(("coverage", coverage), ("provenance", provenance))',
             '(("provenance", provenance),)', ("ATK-GAP",)),
    Mutation("status ignores provenance", "checks/verdict.py",
             '(("coverage", coverage), ("provenance", provenance))',
             '(("coverage", coverage),)', ("ATK-PREMISE",)),
    Mutation("coverage proves false instead of the statement", "checks/soundness/coverage.py",
             "*constraints, z3.Not(claim)]", "*constraints, z3.BoolVal(False, encoder.context)]",
             ("ATK-GAP",)),
    Mutation("provenance takes every premise for a domain", "checks/soundness/provenance.py",
             '    formula = sp.sympify(formula)\n    if formula is sp.true:',
             '    formula = sp.sympify(formula)\n    if True:', ("ATK-PREMISE",)),
    Mutation("derivation accepts any instance", "checks/soundness/derivation.py",
             "    for key, value in substitution.items():\n        if key in bound",
             "    for key, value in ():\n        if key in bound", ("ATK-CHAIN-CONSTANT",)),
    Mutation("derivation takes every domain for implied", "checks/soundness/derivation.py",
             "    return solver.check() == z3.unsat\n\n\ndef _at(",
             "    return True\n\n\ndef _at(", ("ATK-CHAIN-DOMAIN",)),
    Mutation("derivation ignores the records a theorem lists", "checks/soundness/derivation.py",
             "    if premise.source not in chain.records:", "    if False:",
             ("ATK-CHAIN-UNLISTED",)),
    Mutation("the stale-window premise typed in", "theory/catalogue/convergence/rpd.py",
             "        earlier(at_window), earlier(spread),",
             "        earlier(spread), __import__('pipeproof.theory.theorem', fromlist=['P'])"
             ".Premise(window_g2 <= G**2, 'goal', at_window.name),", ("CONV-RPD",)),
    Mutation("obligation fold accepts tautologies", "checks/verdict.py",
             "    if tautology is not None:", "    if False:", ("ATK-TAUT",)),
    Mutation("tautology check never fires", "checks/soundness/tautology.py",
             "    return solver.check() == z3.unsat", "    return False", ("ATK-TAUT",)),
    Mutation("obligation fold treats unknown as proved", "checks/verdict.py",
             "if v.status is Status.PROVED)", "if v.status in (Status.PROVED, Status.UNKNOWN))",
             ("ATK-UNKNOWN",)),
    Mutation("status ignores unproved obligations", "checks/verdict.py",
             "        if obligation.status is not Status.PROVED:\n            detail",
             "        if False:\n            detail", ("ATK-UNKNOWN",)),
    Mutation("combine treats unknown as proved", "checks/verdict.py",
             "    if unknown:\n        return Verdict(method, Status.UNKNOWN",
             "    if False:\n        return Verdict(method, Status.UNKNOWN", ("ATK-UNKNOWN",)),
    Mutation("soundness checks not scheduled", "checks/tasks.py",
             "if t.obligations for check in SOUNDNESS]", "if False for check in SOUNDNESS]",
             (SPLIT,)),
    Mutation("SymPy never searches for a counterexample", "checks/provers/symbolic.py",
             "        counterexample = _search(obligation)", "        counterexample = None",
             (EVEN, MOD4)),
    Mutation("a Z3 model is not a refutation", "checks/provers/smt.py",
             "        if answer == z3.sat:\n            values",
             "        if False:\n            values", (EVEN, MOD4)),
    # statements, formulas, premises and hypotheses of the catalogue
    Mutation("round time: min(R, S) read as R", "theory/throughput.py",
             "sp.Max(runs, S) * H + sp.Min(runs, S) - 1", "sp.Max(runs, S) * H + runs - 1",
             ("THR-LSGD",)),
    Mutation("flush peak in flight S - s + 1", "theory/memory.py",
             "return sp.Min(S - stage, M)", "return sp.Min(S - stage + 1, M)", ("THR-FLUSH",)),
    Mutation("PipeDream warm-up peak 2(S - s)", "theory/memory.py",
             "return sp.Min(S, 2 * (S - stage) - 1, M)", "return sp.Min(S, 2 * (S - stage), M)",
             ("STL-PD-STASH",)),
    Mutation("steady maximum delay off by one", "theory/staleness.py",
             "    return S**2 - sp.ceiling(S / 2)\n",
             "    return S**2 - sp.ceiling(S / 2) + 1\n", ("STL-PD-MAX",)),
    Mutation("closed form: two ops on one stage in one slot", "theory/schedules.py",
             "sp.Piecewise((2 * micro + stage, micro >= S)",
             "sp.Piecewise((2 * micro + stage + 1, micro >= S)", ("THR-PD-CLOSED",)),
    Mutation("drain counts one more update per stage", "theory/catalogue/staleness_warmup.py",
             "sp.Eq(last - first + 1, S - 1 + sp.Mod(x, 2))",
             "sp.Eq(last - first + 1, S + sp.Mod(x, 2))", ("STL-PD-WARMUP",)),
    Mutation("a hypothesis premise typed as a goal", "theory/catalogue/convergence/premises.py",
             'return Premise(formula, "hypothesis", str(formula))',
             'return Premise(formula, "goal", str(formula))', ("CONV-TUNED",)),
    Mutation("stale term delta instead of delta^2", "theory/convergence.py",
             "    return max_delay**2\n", "    return max_delay\n", ("CONV-RPD",)),
    Mutation("whole-run maximum without the warm-up excess", "theory/staleness.py",
             "return S**2 - sp.ceiling(S / 2) + sp.floor((S - 1) ** 2 / 4)",
             "return S**2 - sp.ceiling(S / 2) + sp.floor(S**2 / 4)", ("STL-PD-WARMUP",)),
    Mutation("interleaved peak one activation higher", "theory/catalogue/throughput_interleaved.py",
             "return sp.Min(2 * (S - 1 - rank) + (v - 1) * S + 1, total())",
             "return sp.Min(2 * (S - 1 - rank) + (v - 1) * S + 2, total())", ("THR-INTERLEAVED",)),
    Mutation("interleaved forwards skip the chunk-wrap wait",
             "theory/catalogue/throughput_interleaved.py",
             "return sp.Max(fill, 2 * index - warmup(rank) + rank, wrapped)",
             "return sp.Max(fill, 2 * index - warmup(rank) + rank)", ("THR-INTERLEAVED",)),
    Mutation("ZB-V at most 2S - 1 live activations", "theory/catalogue/zb_v_proof.py",
             "def live_bound(peak: sp.Expr = 2 * S)", "def live_bound(peak: sp.Expr = 2 * S - 1)",
             ("THR-ZB-V",)),
    Mutation("ZB-V later stage's forward order one later", "theory/catalogue/zb_v_groups.py",
             "return group * S + offset + sp.Min(M, group * S + sp.Min(S, S - rank + offset)",
             "return group * S + offset + 1 + sp.Min(M, group * S + sp.Min(S, S - rank + offset)",
             ("THR-ZB-V",)),
    Mutation("CMP-TIME round at R >= S without its - 1", "theory/catalogue/comparison_time.py",
             "eq(cmp.round_slots(R), (t_F + t_B) * (R * H + S - 1))",
             "eq(cmp.round_slots(R), (t_F + t_B) * (R * H + S))", ("CMP-TIME",)),
    Mutation("chain sum collected without f(x^K) >= f*", "theory/catalogue/convergence/chain.py",
             "earlier(at_k), earlier(telescoped), assumed(\"A2\", f(k) >= f_star, {k: K}),\n"
             "        assumed(\"A2\", sp.Eq(F0, f(0) - f_star)))",
             "earlier(at_k), earlier(telescoped),\n"
             "        assumed(\"A2\", sp.Eq(F0, f(0) - f_star)))", ("CONV-RPD",)),
    Mutation("LocalSGD index form re-enters one slot late", "theory/schedules.py",
             "reentry = localsgd_index_backward(0, index - R) + 1 + stage",
             "reentry = localsgd_index_backward(0, index - R) + 2 + stage", ("THR-LSGD",)),
    Mutation("LocalSGD index step admits R + 1", "theory/catalogue/localsgd_index.py",
             "return sp.Or(at > 0, started_f - started_b < R)",
             "return sp.Or(at > 0, started_f - started_b < R + 1)", ("THR-LSGD",)),
    # the checkers' independence and the realisable refutations
    Mutation("the exhaustive method reads the closed form", "checks/exhaustive.py",
             "            tables = simulate_batch([point.spec for point in group])",
             "            from pipeproof.checks.tables.generate import closed_form_table\n"
             "            tables = [closed_form_table(point.spec) for point in group]",
             ("THR-PD-CLOSED",)),
    Mutation("a wrong bound's instance with a smaller delay", "checks/empirical/convergence/"
             "wrong_bounds.py", "step_size=0.01, depth=1000,\n                 delta=1000,",
             "step_size=0.01, depth=10,\n                 delta=10,", ("CONV-RPD",)),
)


@pytest.fixture(scope="session")
def attack_copy(tmp_path_factory) -> Path:
    """One pristine copy of the package; each mutation works on a copy of it."""
    return copy_package(tmp_path_factory.mktemp("pristine"))


@pytest.fixture(scope="session")
def baseline(attack_copy):
    """Whether the unmutated copy passes, by tuple of ids (each run once)."""
    runs: dict[tuple[str, ...], Run] = {}

    def passes(ids: tuple[str, ...]) -> Run:
        if ids not in runs:
            runs[ids] = run_main(attack_copy, ids)
        return runs[ids]
    return passes


@pytest.fixture(scope="session")
def attack_results(request) -> dict[str, tuple[bool, float]]:
    """Mutation name -> (killed, seconds), printed as the kill ratio after the run."""
    results = getattr(request.config, "attack_results", None)
    if results is None:
        results = request.config.attack_results = {}
    return results


def test_the_copy_runs_the_copied_package(attack_copy):
    environment = {**os.environ, "PYTHONPATH": str(attack_copy)}
    code = "import pipeproof.checks as c, pipeproof.theory as t; print(c.__file__, t.__file__)"
    found = subprocess.run([sys.executable, "-c", code], cwd=attack_copy, env=environment,
                           capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    for line in found.stdout.split():
        assert Path(line).resolve().is_relative_to(attack_copy.resolve()), line


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_killed(mutation, attack_copy, baseline, attack_results, tmp_path):
    before = baseline(mutation.targets)
    assert before.code == 0 and not killed(before), \
        f"the unmutated package fails on {mutation.targets}:\n{before.output}"
    root = tmp_path / "copy"
    shutil.copytree(attack_copy, root)
    mutate(root, mutation)
    after = run_main(root, mutation.targets)
    attack_results[mutation.name] = (killed(after), after.seconds)
    assert after.report is not None, f"the mutated job wrote no report:\n{after.output}"
    assert killed(after), f"{mutation.name} survived: {mutation.targets} still as expected"
