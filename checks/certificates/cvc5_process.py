"""cvc5 on one SMT-LIB 2 file, in a process of its own.

``python cvc5_process.py SECONDS [OPTION=VALUE ...] < FILE`` reads the file from standard input,
sets logic ALL, cvc5's per-query time limit (SECONDS) and the options, runs every command and
prints one JSON line ``{"result": "sat" | "unsat" | "unknown", "reason": ...}``.

The file imports nothing but cvc5 and the standard library, so that starting it costs only the
interpreter and cvc5. Running cvc5 in its own process lets the caller stop it at a hard deadline:
some of cvc5's nonlinear procedures (cylindrical algebraic coverings) do not check the time limit
while they work.
"""

from __future__ import annotations

import json
import sys


def solve(text: str, seconds: float, options: dict[str, str]) -> dict[str, str | None]:
    """cvc5's answer on ``text``: the output of the file's one ``check-sat``."""
    import cvc5

    manager = cvc5.TermManager()
    solver = cvc5.Solver(manager)
    solver.setOption("tlimit-per", str(max(1, int(seconds * 1000))))
    for name, value in options.items():
        solver.setOption(name, value)
    solver.setLogic("ALL")
    symbols = cvc5.SymbolManager(manager)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "certificate")
    outputs: list[str] = []
    try:
        while True:
            command = parser.nextCommand()
            if command.isNull():
                break
            output = command.invoke(solver, symbols).strip()
            if output:
                outputs.append(output)
    except RuntimeError as error:
        return {"result": "unknown", "reason": f"cvc5 could not read the file: {error}"}
    return _result(outputs)


def _result(outputs: list[str]) -> dict[str, str | None]:
    """The answer of the one check-sat among cvc5's outputs."""
    results = [output for output in outputs
               if output.split()[0] in ("sat", "unsat", "unknown")]
    if len(results) != 1:
        return {"result": "unknown", "reason": f"expected one check-sat answer, got {outputs!r}"}
    words = results[0].split(maxsplit=1)
    reason = words[1].strip("()") if len(words) > 1 else None
    if words[0] == "unknown":
        return {"result": "unknown", "reason": reason or "unknown"}
    return {"result": words[0], "reason": None}


def main(arguments: list[str]) -> int:
    """Read the file from standard input, print the answer as one JSON line."""
    seconds = float(arguments[0])
    options = dict(argument.split("=", 1) for argument in arguments[1:])
    try:
        answer = solve(sys.stdin.read(), seconds, options)
    except RuntimeError as error:
        answer = {"result": "unknown", "reason": f"cvc5 refused the options: {error}"}
    print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
