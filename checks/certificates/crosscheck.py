"""The second solver: cvc5 re-checks every exported SMT file, and the answers are compared.

Per file: Z3 reads it (the answer must be the expected one: that is what proved the case) and
cvc5 reads it. Two definite answers that differ are a disagreement, which fails the certificate;
cvc5's ``unknown`` is reported as unknown. An obligation lists ``z3`` in ``proved_by`` when Z3
proved it (every case, split complete) and its goal files read back unsat, and ``cvc5`` when
cvc5 answers unsat on every goal file of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeproof.checks.certificates.smtlib import ObligationExport, SmtFile
from pipeproof.checks.certificates.solvers import (
    CVC5_SECONDS,
    Answer,
    cvc5_answer,
    cvc5_available,
    z3_answer,
)
from pipeproof.checks.verdict import Status


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
    goal file (and Z3 proved it, split complete, in the export)."""
    goals = [check for check in checks if check.file.role == "goal"]
    if export.verdict.status is not Status.PROVED or not goals:
        return []
    found = []
    for solver in ("z3", "cvc5"):
        answers = [check.answer(solver) for check in goals]
        if all(answer is not None and answer.result == "unsat" for answer in answers):
            found.append(solver)
    return found
