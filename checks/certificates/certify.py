"""Build the certificate of one theorem: check it, export its proofs, re-check them, seal them.

1. :func:`pipeproof.checks.check` runs every method on the theorem (its verdicts go into the
   manifest);
2. Z3 proves each SMT obligation again, recording the deciding queries, which are exported as
   SMT-LIB files and read back (:mod:`.smtlib`);
3. Z3 and cvc5 read every file (:mod:`.crosscheck`); a disagreement fails the certificate;
4. the SymPy steps the prover proved become ``sympy_steps.py``, which is run with plain Python;
5. the manifest records it all, and the folder is sealed with SHA-256 sums (:mod:`.folder`).
"""

from __future__ import annotations

import datetime
import logging
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeproof.checks.certificates import folder, replay
from pipeproof.checks.certificates.crosscheck import FileCheck, check_file, solvers_proving
from pipeproof.checks.certificates.smtlib import ObligationExport, export_theorem
from pipeproof.checks.certificates.solvers import CVC5_SECONDS, cvc5_version, z3_version
from pipeproof.checks.profiles import Profile
from pipeproof.theory.theorem import Theorem

logger = logging.getLogger(__name__)

FORMAT = "pipeproof-certificate/1"
"""The manifest's format name."""

PROVER_NAMES = {"symbolic": "sympy", "smt": "z3"}


@dataclass
class Certificate:
    """A built certificate: its files (not yet sealed), its manifest and what went wrong."""

    theorem: Theorem
    files: dict[str, bytes]
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No disagreement between solvers, the SymPy script passed, the status as expected."""
        return not self.problems


def git_commit() -> tuple[str | None, bool | None]:
    """(commit, whether the work tree has changes) of the clone pipeproof runs from, or
    (None, None) when it is not run from a git clone."""
    import pipeproof

    where = Path(pipeproof.__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return None, None
        status = subprocess.run(["git", "-C", str(where), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit.stdout.strip(), bool(status.stdout.strip())


def run_script(text: str) -> tuple[int, str]:
    """(exit code, last output line) of the SymPy script run by this Python, outside any
    package folder."""
    with tempfile.TemporaryDirectory(prefix="pipeproof-steps-") as where:
        path = Path(where) / replay.SCRIPT_NAME
        path.write_text(text, "utf-8")
        done = subprocess.run([sys.executable, "-I", str(path)], capture_output=True,
                              text=True, cwd=where, timeout=600)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


def _sympy_cases(report: Any) -> dict[int, tuple[str, ...]]:
    """Obligation number -> the cases the SymPy prover proved, for obligations it proved."""
    proved = {}
    for number, obligation in enumerate(report.obligations):
        if "symbolic" in obligation.proved_by:
            proved[number] = dict(obligation.cases).get("symbolic", ())
    return proved


def _obligation_json(number: int, folded: Any, export: ObligationExport | None,
                     checks: list[FileCheck], sympy_ok: bool,
                     sympy_cases: dict[int, tuple[str, ...]]) -> dict[str, Any]:
    proved_by = ["sympy"] if number in sympy_cases and sympy_ok else []
    if export is not None:
        proved_by += solvers_proving(export, checks)
    entry = folded.to_json()
    entry.update({
        "number": number,
        "methods_proved_by": entry.pop("proved_by"),
        "proved_by": proved_by,
        "smt": None if export is None else {
            "status": export.verdict.status.value, "reason": export.verdict.reason,
            "cases": list(export.verdict.cases),
            "files": [check.to_json() for check in checks]},
        "sympy_cases": (list(sympy_cases[number]) if number in sympy_cases else None),
    })
    return entry


def certify(theorem: Theorem, profile: Profile, cvc5_seconds: float = CVC5_SECONDS,
            use_cvc5: bool = True) -> Certificate:
    """The certificate of ``theorem`` under ``profile`` (see the module docstring)."""
    from pipeproof.checks.cli.report import package_version, theorem_json, versions
    from pipeproof.checks.one_theorem import check

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    report = check(theorem, profile)
    seconds["check"] = time.perf_counter() - started

    started = time.perf_counter()
    exports = {export.number: export for export in export_theorem(theorem, profile.rlimit)}
    seconds["export"] = time.perf_counter() - started

    started = time.perf_counter()
    checks = {number: [check_file(file, cvc5_seconds, use_cvc5)
                       for file in export.files] for number, export in exports.items()}
    seconds["crosscheck"] = time.perf_counter() - started

    started = time.perf_counter()
    sympy_cases = _sympy_cases(report)
    steps = replay.steps(theorem, sympy_cases)
    script = replay.script(theorem, steps)
    code, last = run_script(script) if steps else (0, "no SymPy steps")
    seconds["sympy_script"] = time.perf_counter() - started

    problems = [problem for found in checks.values() for check in found
                if (problem := check.disagreement) is not None]
    if code != 0:
        problems.append(f"the SymPy script fails: {last}")
    if not report.as_expected:
        problems.append(f"{theorem.id} is not as expected: status {report.status.value}, "
                        f"expected {theorem.expected}")
    commit, dirty = git_commit()
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "package": {"name": "pipeproof", "version": package_version()},
        "commit": commit, "dirty": dirty,
        "versions": {**versions(), "z3": z3_version(), "cvc5": cvc5_version(),
                     "platform": platform.platform()},
        "profile": profile.name,
        "budgets": {"z3_rlimit": profile.rlimit, "cvc5_seconds": cvc5_seconds,
                    "z3_exhaustive_stages": profile.max_stages, "runs": profile.runs},
        "seeds": _seeds(profile),
        "theorem": {key: value for key, value in theorem_json(report).items()
                    if key not in ("obligations",)},
        "obligations": [_obligation_json(number, folded, exports.get(number),
                                         checks.get(number, []), code == 0, sympy_cases)
                        for number, folded in enumerate(report.obligations)],
        "sympy_script": {"path": replay.SCRIPT_NAME, "steps": len(steps),
                         "exit_code": code, "last_line": last},
        "problems": problems,
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
    }
    files = {f"{file.path}": file.text.encode() for export in exports.values()
             for file in export.files}
    files[replay.SCRIPT_NAME] = script.encode()
    files["README.txt"] = folder.README.format(theorem_id=theorem.id).encode()
    files[folder.MANIFEST] = _json_bytes(manifest)
    return Certificate(theorem, files, manifest, problems, seconds)


def _seeds(profile: Profile) -> dict[str, Any]:
    """The randomness of the check: none in the proofs; the convergence confirmations train
    seeds 0..n-1 per case on data drawn from a fixed data seed (0), the schedule confirmations
    run on fixed tables."""
    from pipeproof.checks.empirical.convergence.plan import PLANS

    plan = PLANS.get(profile.runs)
    return {"smt": "none: Z3's rlimit is deterministic", "sympy": "none",
            "convergence_data_seed": 0,
            "convergence_run_seeds": list(range(plan.seeds)) if plan else None}


def _json_bytes(document: dict[str, Any]) -> bytes:
    from pipeproof.checks.outputs import json_text

    return json_text(document).encode()
