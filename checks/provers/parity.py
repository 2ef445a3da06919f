"""Residue case splits shared by the SymPy prover, the Z3 encoder and the coverage check.

Floors of halves and squares become polynomial once the residue of their argument is fixed: a
symbol x >= lo split modulo k becomes x = lo + r + k*a for r = 0, ..., k - 1 with a fresh integer
a >= 0. A split is written ``x`` (modulo 2, the parity split) or ``(x, k)``.

Proving every case proves the obligation only if the cases proved cover the whole domain
{x integer, x >= lo} and do not overlap. :func:`split_gap` asks Z3 exactly that, from the
substitutions of the cases that were actually proved (never from the list that was meant to be):
a prover that skips a case, or a split that drops a residue class, leaves a gap and the obligation
is not proved.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence

import sympy as sp
import z3

from pipeproof.checks.verdict import Status, Verdict
from pipeproof.theory.theorem import Obligation

Substitution = dict[sp.Symbol, sp.Expr]
Split = sp.Symbol | tuple[sp.Symbol, int]


def lower_bound(symbol: sp.Symbol) -> int:
    """The least value of an integer symbol from its SymPy assumptions (1 or 0)."""
    if symbol.is_integer and symbol.is_positive:
        return 1
    if symbol.is_integer and symbol.is_nonnegative:
        return 0
    raise ValueError(f"a case split needs a nonnegative integer symbol, got {symbol}")


def splits(entries: Iterable[Split]) -> list[tuple[sp.Symbol, int]]:
    """Normalise split entries to (symbol, modulus): a bare symbol is split modulo 2.

    Raises:
        ValueError: for a modulus below 2.
    """
    result = []
    for entry in entries:
        symbol, modulus = (entry, 2) if isinstance(entry, sp.Symbol) else entry
        if int(modulus) < 2:
            raise ValueError(f"a split of {symbol} needs a modulus >= 2, got {modulus}")
        result.append((symbol, int(modulus)))
    return result


def _residue_label(symbol: sp.Symbol, start: int, modulus: int) -> str:
    if modulus == 2:
        return f"{symbol} {'odd' if start % 2 else 'even'}"
    return f"{symbol} = {start % modulus} (mod {modulus})"


def split_cases(entries: Sequence[Split]) -> list[tuple[str, Substitution]]:
    """Every combination of residues of ``entries``, as (label, substitution)."""
    normal = splits(entries)
    if not normal:
        return [("", {})]
    cases = []
    for offsets in itertools.product(*(range(modulus) for _, modulus in normal)):
        substitution: Substitution = {}
        labels = []
        for (symbol, modulus), offset in zip(normal, offsets, strict=True):
            suffix = "half" if modulus == 2 else f"part{modulus}"
            part = sp.Symbol(f"{symbol.name}_{suffix}", integer=True, nonnegative=True)
            start = lower_bound(symbol) + offset
            substitution[symbol] = start + modulus * part
            labels.append(_residue_label(symbol, start, modulus))
        cases.append((", ".join(labels), substitution))
    return cases


def parity_cases(obligation: Obligation) -> list[tuple[str, Substitution]]:
    """Every case of ``obligation.parity`` (symbols modulo 2, or (symbol, k) modulo k)."""
    return split_cases(obligation.parity)


def substitute(obligation: Obligation, substitution: Substitution) -> Obligation:
    """The obligation with ``substitution`` applied to its goal and assumptions."""
    if not substitution:
        return obligation
    return Obligation(
        name=obligation.name,
        goal=obligation.goal.subs(substitution),
        assumptions=tuple(sp.sympify(a).subs(substitution) for a in obligation.assumptions),
        methods=obligation.methods,
    )


def _membership(symbol: sp.Symbol, expr: sp.Expr, value: z3.ArithRef) -> z3.BoolRef:
    """value = expr(a) for some integer a >= 0, where expr = lo + k*a with integers lo, k > 0.

    Raises:
        ValueError: when ``expr`` is not of that form.
    """
    expr = sp.expand(sp.sympify(expr))
    fresh = sorted(expr.free_symbols, key=lambda free: free.name)
    if not fresh:
        if not expr.is_Integer:
            raise ValueError(f"case {symbol} = {expr} is not an integer")
        return value == int(expr)
    (part,) = fresh if len(fresh) == 1 else (None,)
    if part is None or not (part.is_integer and part.is_nonnegative):
        raise ValueError(f"case {symbol} = {expr} is not lo + k*a with one integer a >= 0")
    poly = sp.Poly(expr, part)
    if poly.degree() != 1 or not all(c.is_Integer for c in poly.all_coeffs()):
        raise ValueError(f"case {symbol} = {expr} is not lo + k*a with integers lo, k")
    step, start = (int(c) for c in poly.all_coeffs())
    if step <= 0:
        raise ValueError(f"case {symbol} = {expr} needs a positive step")
    return z3.And(value >= start, (value - start) % step == 0)


def split_gap(proved: Sequence[Substitution], symbols: Iterable[sp.Symbol] = ()) -> str | None:
    """None when the ``proved`` cases cover the domain of every split symbol and are pairwise
    disjoint; otherwise what is wrong, with a witness.

    The domain of a split symbol x is {x integer, x >= lower_bound(x)}; a case constrains the
    symbols it substitutes and leaves the others free. Z3 decides both questions (linear integer
    arithmetic with mod, which it decides completely).
    """
    names = {symbol for case in proved for symbol in case} | set(symbols)
    if not names:
        return None if proved else "no case was proved"
    context = z3.Context()
    values = {symbol: z3.Int(symbol.name, context) for symbol in names}
    try:
        members = [z3.And(z3.BoolVal(True, context),
                          *(_membership(symbol, expr, values[symbol])
                            for symbol, expr in case.items()))
                   for case in proved]
    except ValueError as error:
        return f"case split not recognised: {error}"
    domain = [values[symbol] >= lower_bound(symbol) for symbol in names]
    gap = _witness([*domain, z3.Not(z3.Or(*members)) if members else z3.BoolVal(True, context)],
                   context, values)
    if gap is not None:
        return f"case split incomplete: no proved case covers {gap}"
    overlaps = [z3.And(members[a], members[b])
                for a, b in itertools.combinations(range(len(members)), 2)]
    overlap = _witness([*domain, z3.Or(*overlaps)], context, values) if overlaps else None
    if overlap is not None:
        return f"case split not disjoint: two proved cases contain {overlap}"
    return None


def split_verdict(verdict: Callable[..., Verdict], obligation: Obligation,
                  proved: Sequence[tuple[str, Substitution]]) -> Verdict:
    """A prover's verdict once its case loop is done: ``proved``, listing the cases, when the
    cases in ``proved`` (label, substitution) cover the split of ``obligation``; otherwise
    ``unknown`` with the gap. ``verdict(status, detail, **extra)`` makes the prover's verdict."""
    gap = split_gap([substitution for _, substitution in proved],
                    [symbol for symbol, _ in splits(obligation.parity)])
    labels = tuple(label for label, _ in proved if label)
    if gap is not None:
        return verdict(Status.UNKNOWN, obligation.name, reason=gap, cases=labels)
    detail = obligation.name + (f" ({len(proved)} cases)" if len(proved) > 1 else "")
    return verdict(Status.PROVED, detail, cases=labels)


def _witness(facts: list, context: z3.Context, values: dict) -> str | None:
    """A model of ``facts`` as text, None when unsat; an undecided query is reported as a gap."""
    solver = z3.Solver(ctx=context)
    solver.set("timeout", 10_000)
    solver.add(*facts)
    answer = solver.check()
    if answer == z3.unsat:
        return None
    if answer != z3.sat:
        return f"an undecided point ({solver.reason_unknown()})"
    model = solver.model()
    return ", ".join(f"{symbol} = {model.eval(value, model_completion=True)}"
                     for symbol, value in sorted(values.items(), key=lambda item: item[0].name))


__all__ = ["lower_bound", "parity_cases", "split_cases", "split_gap", "split_verdict", "splits",
           "substitute"]
