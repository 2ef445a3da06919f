"""Two independent SMT solvers on the text of an SMT-LIB 2 file: Z3 and cvc5.

Z3 reads the file with its default strategy and a deterministic budget ``rlimit`` (the file's
header states the one that decides it; no ``set-logic``: naming a logic changes Z3's strategy,
and the file must be exactly the query that proved the obligation). cvc5 (the optional extra
``pipeproof[crosscheck]``) reads it as logic ALL (nonlinear integer and real arithmetic,
uninterpreted functions, ``to_real``, ``div`` and ``mod``), with a wall-clock limit per query,
in each of :data:`CVC5_CONFIGURATIONS` side by side (its defaults, cylindrical algebraic
coverings for nonlinear real arithmetic, interval constraint propagation); its ``unknown`` is
reported as unknown, never as an answer.

Each call returns an :class:`Answer`: ``sat``, ``unsat`` or ``unknown`` with the solver's reason.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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
        configuration: for cvc5, the name of the configuration (:data:`CVC5_CONFIGURATIONS`)
            whose answer this is.
    """

    solver: str
    result: str
    seconds: float
    reason: str | None = None
    configuration: str | None = None

    def to_json(self) -> dict:
        """{solver, result, seconds, reason, configuration}."""
        return {"solver": self.solver, "result": self.result,
                "seconds": round(self.seconds, 4), "reason": self.reason,
                "configuration": self.configuration}


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


@dataclass(frozen=True)
class Cvc5Configuration:
    """One way of running cvc5: a name and the options set before the file is read."""

    name: str
    options: tuple[tuple[str, str], ...]
    summary: str

    def arguments(self) -> list[str]:
        """The options as ``name=value`` arguments of :mod:`.cvc5_process`."""
        return [f"{name}={value}" for name, value in self.options]


CVC5_CONFIGURATIONS = (
    Cvc5Configuration("default", (), "cvc5's defaults for logic ALL (nonlinear arithmetic by "
                      "incremental linearization)"),
    Cvc5Configuration("coverings", (("nl-cov", "true"), ("nl-ext", "none")),
                      "nonlinear real arithmetic by cylindrical algebraic coverings, without "
                      "incremental linearization"),
    Cvc5Configuration("icp", (("nl-icp", "true"),), "incremental linearization with interval "
                      "constraint propagation on the bounds of nonlinear terms"),
)
"""The configurations cvc5 runs side by side on each file; the first definite answer counts.
Every one is a complete or refutation-sound procedure of cvc5 itself: none approximates the
file (no bounded integers, no bit-blasting)."""

GRACE_SECONDS = 2.0
"""How long past its time limit a cvc5 process may run before it is stopped."""

PROCESS = Path(__file__).with_name("cvc5_process.py")


def cvc5_answer(text: str, seconds: float = CVC5_SECONDS,
                configurations: tuple[Cvc5Configuration, ...] = CVC5_CONFIGURATIONS) -> Answer:
    """cvc5 on the SMT-LIB text ``text``, logic ALL, at most ``seconds`` of wall time.

    Each configuration runs in a process of its own (:mod:`.cvc5_process`), all at once; the
    first definite answer (sat or unsat) is the answer, with the configuration that gave it,
    and the other processes are stopped. A process still running ``GRACE_SECONDS`` past the
    limit is stopped. An answer other than sat or unsat from every configuration (a timeout,
    an incomplete theory, a file cvc5 cannot parse, cvc5 not installed) is ``unknown`` with the
    reasons.
    """
    started = time.perf_counter()
    if not cvc5_available():
        return Answer("cvc5", "unknown", 0.0, "cvc5 is not installed (pipeproof[crosscheck])")
    running = {configuration: _start(configuration, text, seconds)
               for configuration in configurations}
    reasons: dict[str, str] = {}
    deadline = time.monotonic() + seconds + GRACE_SECONDS
    try:
        while running and time.monotonic() < deadline:
            for configuration, process in list(running.items()):
                if process.poll() is None:
                    continue
                del running[configuration]
                result, reason = _read(process)
                if result in ("sat", "unsat"):
                    return Answer("cvc5", result, time.perf_counter() - started,
                                  configuration=configuration.name)
                reasons[configuration.name] = reason
            time.sleep(0.005)
        for configuration in running:
            reasons[configuration.name] = f"stopped after {seconds + GRACE_SECONDS:g} s"
    finally:
        for process in running.values():
            process.kill()
            process.wait()
    said = "; ".join(f"{name}: {reason}" for name, reason in reasons.items())
    return Answer("cvc5", "unknown", time.perf_counter() - started, said)


def _start(configuration: Cvc5Configuration, text: str, seconds: float) -> subprocess.Popen:
    """A cvc5 process on ``text`` under ``configuration``."""
    process = subprocess.Popen(
        [sys.executable, str(PROCESS), f"{seconds:g}", *configuration.arguments()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdin.write(text)
    process.stdin.close()
    return process


def _read(process: subprocess.Popen) -> tuple[str, str]:
    """(result, reason) of a finished cvc5 process."""
    output, errors = process.stdout.read(), process.stderr.read()
    try:
        answer = json.loads(output.strip().splitlines()[-1])
        return answer["result"], answer.get("reason") or ""
    except (IndexError, ValueError, KeyError):
        return "unknown", f"cvc5 exited with {process.returncode}: {errors.strip()[-200:]}"
