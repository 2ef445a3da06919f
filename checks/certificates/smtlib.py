"""Every SMT query that proved an obligation, as a standalone SMT-LIB 2 file.

For each obligation the SMT prover proves, and each case of its split, two files:

* the goal query: the declarations, the assumptions, the encoder's side conditions (signs,
  floors) and the negated goal, then ``(check-sat)``; expected answer ``unsat`` (no value of
  the symbols meets the hypotheses and breaks the goal);
* the hypotheses query: the assumptions and side conditions alone (with the values the model
  search fixed, if it fixed any); expected answer ``sat``, so the proof is not vacuous;

and for an obligation with a case split, one more: the split query (:mod:`.split`), expected
``unsat``: the cases proved cover the split's domain and do not overlap.

The body of each file is Z3's own ``to_smt2()`` of the solver whose answer decided the case in
the proof (recorded by :func:`pipeproof.checks.provers.smt.prove_smt`), under a header comment
naming the theorem, the obligation, the case and the expected answer. Each file is read back
by Z3 from its text and must give the proof's answer (:class:`ExportError` otherwise), so the
file is exactly the query that proved the obligation. Z3 reading a file from text does not
always take the same search path as the solver built through its API: when the proof's budget
does not decide the file, it is read again with 2, 4, 8 and 16 times the budget, and the header
and :attr:`SmtFile.rlimit` state the budget that decides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeproof.checks.certificates.solvers import z3_answer, z3_version
from pipeproof.checks.certificates.split import split_query
from pipeproof.checks.provers.parity import parity_cases
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation, Theorem

EXPECTED = {"goal": "unsat", "hypotheses": "sat", "split": "unsat"}
"""The answer each kind of query must get."""

SUFFIXES = {"goal": ".smt2", "hypotheses": ".hyp.smt2", "split": ".split.smt2"}
"""File name endings by role."""

QUERIES = {"goal": "the hypotheses and the negated goal",
           "hypotheses": "the hypotheses alone (they must have a model)",
           "split": "a point of the split's domain in no case or in two (the cases proved must "
                    "cover the domain exactly)"}

READ_BACK_FACTORS = (1, 2, 4, 8, 16)
"""Budgets tried when a file is read back, as multiples of the proof's rlimit."""


class ExportError(RuntimeError):
    """An exported file that does not reproduce the answer of the query it was made from."""


@dataclass(frozen=True)
class SmtFile:
    """One exported query.

    Attributes:
        path: the file's path inside the certificate (``smt/o03-S-odd.smt2``).
        obligation: the obligation's number in the theorem (from 0).
        name: the obligation's name.
        case: the case label (empty without a split).
        role: "goal", "hypotheses" or "split" (see :data:`EXPECTED`).
        expected: the answer the file must get.
        text: the file's text.
        rlimit: the Z3 budget under which the file, read from its text, gets ``expected``.
    """

    path: str
    obligation: int
    name: str
    case: str
    role: str
    expected: str
    text: str
    rlimit: int


@dataclass(frozen=True)
class ObligationExport:
    """The SMT prover's verdict on one obligation and the files of the cases it decided."""

    number: int
    obligation: Obligation
    verdict: Verdict
    files: tuple[SmtFile, ...]


def case_slug(label: str) -> str:
    """A case label as part of a file name: ``S = 2 (mod 4)`` -> ``S-2-mod-4``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") or "all"


def _comment(text: str) -> str:
    """``text`` on one comment line."""
    return " ".join(str(text).split())


def file_text(theorem: Theorem, number: int, obligation: Obligation, case: str, role: str,
              body: str, rlimit: int, read_rlimit: int) -> str:
    """The header comment, then Z3's SMT-LIB body of the query (its own header dropped)."""
    what = QUERIES[role]
    header = [
        "; pipeproof certificate: one SMT query, SMT-LIB 2",
        f"; theorem: {theorem.id}: {_comment(theorem.title)}",
        f"; obligation {number}: {_comment(obligation.name)}",
        f"; goal: {_comment(obligation.goal)}",
        f"; case: {case or 'no case split'}",
        f"; query: {what}",
        f"; expected answer: {EXPECTED[role]}",
        f"; made by {z3_version()}, proved with rlimit={rlimit}; z3 answers this file within "
        f"rlimit={read_rlimit}",
        "; read it with z3 as it is (naming a logic changes z3's strategy) or with "
        "cvc5 --force-logic=ALL",
        f"(set-info :status {EXPECTED[role]})",
    ]
    lines = [line for line in body.splitlines()
             if not line.startswith("; benchmark generated") and
             not line.startswith("(set-info :status")]
    return "\n".join([*header, *lines]).rstrip() + "\n"


def export_obligation(theorem: Theorem, number: int, rlimit: int) -> ObligationExport:
    """Prove obligation ``number`` of ``theorem`` with Z3, recording every deciding query, and
    write the files of the cases it proved.

    Raises:
        ExportError: when a file read back by Z3 does not give the answer of the proof.
    """
    obligation = theorem.obligations[number]
    recorded: list[tuple[str, str, object, object]] = []

    def recorder(label: str):
        return lambda role, solver, answer: recorded.append((label, role, solver, answer))

    verdict = prove_smt(obligation, rlimit, recorder)
    if verdict.status is not Status.PROVED:
        return ObligationExport(number, obligation, verdict, ())
    files = [_written(theorem, number, label, role, solver.to_smt2(), rlimit)
             for label, role, solver, answer in recorded
             # an unknown first try is superseded by the query that decided the case
             if str(answer) == EXPECTED[role]]
    if obligation.parity:
        cases = dict(parity_cases(obligation))
        query = split_query(obligation.parity, [cases[label] for label in verdict.cases])
        files.append(_written(theorem, number, "; ".join(verdict.cases), "split",
                              query.to_smt2(), rlimit))
    return ObligationExport(number, obligation, verdict, tuple(files))


def _written(theorem: Theorem, number: int, label: str, role: str, body: str,
             rlimit: int) -> SmtFile:
    """The file of one query, read back by Z3 under the proof's budget, else 2, 4, 8 or 16
    times it.

    Raises:
        ExportError: when no budget gives the expected answer.
    """
    obligation = theorem.obligations[number]
    case = "" if role == "split" else label
    path = f"smt/o{number:02d}-{case_slug(case) if role != 'split' else 'cases'}{SUFFIXES[role]}"
    for factor in READ_BACK_FACTORS:
        text = file_text(theorem, number, obligation, label, role, body, rlimit, factor * rlimit)
        reread = z3_answer(text, factor * rlimit)
        if reread.result == EXPECTED[role]:
            return SmtFile(path, number, obligation.name, case, role, EXPECTED[role], text,
                           factor * rlimit)
    raise ExportError(f"{theorem.id} {path}: z3 reads the exported file as {reread.result} "
                      f"({reread.reason}) within rlimit={factor * rlimit}, the proof's answer "
                      f"was {EXPECTED[role]}")


def export_theorem(theorem: Theorem, rlimit: int) -> list[ObligationExport]:
    """:func:`export_obligation` for every obligation of ``theorem`` that Z3 applies to."""
    return [export_obligation(theorem, number, rlimit)
            for number, obligation in enumerate(theorem.obligations)
            if "smt" in obligation.methods]
