"""Two independent SMT solvers on the text of an SMT-LIB 2 file: Z3 and cvc5.

Z3 reads the file with its default strategy and a deterministic budget ``rlimit`` (the file's
header states the one that decides it; no ``set-logic``: naming a logic changes Z3's strategy,
and the file must be exactly the query that proved the obligation). cvc5 (the optional extra
``pipeproof[crosscheck]``) reads it as logic ALL (nonlinear integer and real arithmetic,
uninterpreted functions, ``to_real``, ``div`` and ``mod``), with a wall-clock limit per query;
its ``unknown`` is reported as unknown, never as an answer.

Each call returns an :class:`Answer`: ``sat``, ``unsat`` or ``unknown`` with the solver's reason.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass

CVC5_SECONDS = 5.0
"""cvc5's wall-clock limit per query (it has no deterministic budget like Z3's rlimit)."""


@dataclass(frozen=True)
class Answer:
    """One solver's answer on one file.

    Attributes:
        solver: "z3" or "cvc5".
        result: "sat", "unsat" or "unknown".
        seconds: wall time.
        reason: why the answer is unknown (or why the solver could not run).
    """

    solver: str
    result: str
    seconds: float
    reason: str | None = None

    def to_json(self) -> dict:
        """{solver, result, seconds, reason}."""
        return {"solver": self.solver, "result": self.result,
                "seconds": round(self.seconds, 4), "reason": self.reason}


def z3_version() -> str:
    """``z3 <version>``."""
    import z3

    return f"z3 {z3.get_version_string()}"


def cvc5_available() -> bool:
    """Whether the cvc5 Python package is installed (``pip install pipeproof[crosscheck]``)."""
    return importlib.util.find_spec("cvc5") is not None


def cvc5_version() -> str | None:
    """``cvc5 <version>``, None when cvc5 is not installed."""
    if not cvc5_available():
        return None
    import cvc5

    return f"cvc5 {cvc5.__version__}"


def z3_answer(text: str, rlimit: int) -> Answer:
    """Z3 on the SMT-LIB text ``text`` with resource limit ``rlimit`` (a fresh context)."""
    import z3

    started = time.perf_counter()
    context = z3.Context()
    solver = z3.Solver(ctx=context)
    solver.set("rlimit", rlimit)
    try:
        solver.from_string(text)
    except z3.Z3Exception as error:
        return Answer("z3", "unknown", time.perf_counter() - started,
                      f"the file does not parse: {error}")
    result = solver.check()
    reason = solver.reason_unknown() if result == z3.unknown else None
    return Answer("z3", str(result), time.perf_counter() - started, reason)


def cvc5_answer(text: str, seconds: float = CVC5_SECONDS) -> Answer:
    """cvc5 on the SMT-LIB text ``text``, logic ALL, at most ``seconds`` of wall time.

    An answer other than sat or unsat (a timeout, an incomplete theory, a file cvc5 cannot
    parse, cvc5 not installed) is ``unknown`` with the reason.
    """
    started = time.perf_counter()
    if not cvc5_available():
        return Answer("cvc5", "unknown", 0.0, "cvc5 is not installed (pipeproof[crosscheck])")
    import cvc5

    manager = cvc5.TermManager()
    solver = cvc5.Solver(manager)
    solver.setOption("tlimit-per", str(max(1, int(seconds * 1000))))
    solver.setLogic("ALL")
    symbols = cvc5.SymbolManager(manager)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "certificate")
    answers: list[str] = []
    try:
        while True:
            command = parser.nextCommand()
            if command.isNull():
                break
            output = command.invoke(solver, symbols).strip()
            if output:
                answers.append(output)
    except RuntimeError as error:
        return Answer("cvc5", "unknown", time.perf_counter() - started,
                      f"cvc5 could not read the file: {error}")
    return _cvc5_result(answers, time.perf_counter() - started)


def _cvc5_result(answers: list[str], seconds: float) -> Answer:
    """The answer of the file's one check-sat among cvc5's outputs."""
    results = [answer for answer in answers if answer.split()[0] in ("sat", "unsat", "unknown")]
    if len(results) != 1:
        return Answer("cvc5", "unknown", seconds,
                      f"expected one check-sat answer, got {answers!r}")
    words = results[0].split(maxsplit=1)
    reason = words[1].strip("()") if len(words) > 1 else None
    if words[0] == "unknown":
        return Answer("cvc5", "unknown", seconds, reason or "unknown")
    return Answer("cvc5", words[0], seconds)
