"""The second solver: cvc5 re-checks every exported SMT file, and the answers are compared.

Per file (goal, hypotheses and split files, :mod:`.smtlib`): Z3 reads it (the answer must be
the expected one: that is what proved the case) and cvc5 reads it. Two definite answers that
differ are a disagreement, which fails the certificate; cvc5's ``unknown`` is reported as
unknown. An obligation lists ``z3`` in ``proved_by`` when Z3 proved it (every case, split
complete) and its goal and split files read back unsat, and ``cvc5`` when cvc5 answers unsat on
every one of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipeproof.checks.certificates.smtlib import ObligationExport, SmtFile, export_theorem
from pipeproof.checks.certificates.solvers import (
    CVC5_SECONDS,
    Answer,
    cvc5_answer,
    cvc5_available,
    cvc5_version,
    z3_answer,
    z3_version,
)
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Theorem


@dataclass(frozen=True)
class FileCheck:
    """Both solvers' answers on one file."""

    file: SmtFile
    answers: tuple[Answer, ...]

    @property
    def disagreement(self) -> str | None:
        """What is wrong: an answer other than the expected one that is not unknown."""
        wrong = [a for a in self.answers if a.result not in (self.file.expected, "unknown")]
        if not wrong:
            return None
        said = ", ".join(f"{a.solver} {a.result}" for a in self.answers)
        return f"{self.file.path}: expected {self.file.expected}, got {said}"

    def answer(self, solver: str) -> Answer | None:
        """The answer of ``solver``, if it ran."""
        return next((a for a in self.answers if a.solver == solver), None)

    def to_json(self) -> dict:
        """{path, case, role, expected, answers: {solver: {...}}}."""
        return {"path": self.file.path, "case": self.file.case, "role": self.file.role,
                "expected": self.file.expected, "z3_rlimit": self.file.rlimit,
                "answers": {a.solver: a.to_json() for a in self.answers}}


def check_file(file: SmtFile, cvc5_seconds: float = CVC5_SECONDS,
               use_cvc5: bool = True) -> FileCheck:
    """Z3 (the file's budget) and, when installed and ``use_cvc5``, cvc5 on one file."""
    answers = [z3_answer(file.text, file.rlimit)]
    if use_cvc5 and cvc5_available():
        answers.append(cvc5_answer(file.text, cvc5_seconds))
    return FileCheck(file, tuple(answers))


def solvers_proving(export: ObligationExport, checks: list[FileCheck]) -> list[str]:
    """The SMT solvers that proved the obligation of ``export``: each answered unsat on every
    goal file and on the split file (and Z3 proved it, split complete, in the export)."""
    goals = [check for check in checks if check.file.expected == "unsat"]
    if export.verdict.status is not Status.PROVED or not goals:
        return []
    found = []
    for solver in ("z3", "cvc5"):
        answers = [check.answer(solver) for check in goals]
        if all(answer is not None and answer.result == "unsat" for answer in answers):
            found.append(solver)
    return found


def crosscheck_verdict(theorem: Theorem, rlimit: int,
                       cvc5_seconds: float = CVC5_SECONDS) -> Verdict:
    """The ``crosscheck`` verdict of a check run: Z3 proves each SMT obligation again with its
    queries exported, and cvc5 reads every file.

    ``refuted`` when the solvers disagree on a file (the run then fails), with the file and the
    answers as counterexample; ``unknown`` when cvc5 answered unknown on some goal file (listed
    in ``reason``) or Z3 did not prove an obligation; ``proved`` when cvc5 answered unsat on
    every goal file. One step per obligation, its detail the solvers that proved it.
    """
    started = time.perf_counter()
    steps, unknown, disagreements = [], [], []
    for export in export_theorem(theorem, rlimit):
        began = time.perf_counter()
        checks = [check_file(file, cvc5_seconds) for file in export.files]
        proved_by = solvers_proving(export, checks)
        disagreements += [check for check in checks if check.disagreement]
        missing = [check.file.path for check in checks if check.file.expected == "unsat"
                   and (check.answer("cvc5") is None or check.answer("cvc5").result != "unsat")]
        unknown += missing
        status = (Status.PROVED if proved_by == ["z3", "cvc5"] else Status.UNKNOWN)
        steps.append(Verdict("crosscheck", status, time.perf_counter() - began,
                             f"{export.obligation.name}: proved by {', '.join(proved_by)}",
                             cvc5_version() or "", f"cvc5 {cvc5_seconds:g} s per file",
                             reason=None if status is Status.PROVED else
                             f"cvc5 did not answer unsat on {', '.join(missing) or 'any file'}"
                             f" (z3: {export.verdict.status.value})",
                             cases=export.verdict.cases))
    seconds = time.perf_counter() - started
    detail = (f"{len(steps)} SMT obligations, "
              f"{sum(step.status is Status.PROVED for step in steps)} re-proved by cvc5")
    common = {"solver": f"{z3_version()}, {cvc5_version()}",
              "budget": f"cvc5 {cvc5_seconds:g} s per file", "steps": tuple(steps)}
    if disagreements:
        return Verdict("crosscheck", Status.REFUTED, seconds, detail,
                       counterexample={check.file.path: check.to_json()["answers"]
                                       for check in disagreements}, **common)
    if unknown or any(step.status is not Status.PROVED for step in steps):
        return Verdict("crosscheck", Status.UNKNOWN, seconds, detail,
                       reason=f"cvc5 unknown on {len(unknown)} goal files: {', '.join(unknown)}",
                       **common)
    return Verdict("crosscheck", Status.PROVED, seconds, detail, **common)
