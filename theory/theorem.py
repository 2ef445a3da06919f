"""The theorem record: what is claimed, under which hypotheses, from which source.

A theorem is stated once, as SymPy objects, and carries everything its checks need:

* ``statement``: the headline, a SymPy relation over declared symbols (shown in plain text and
  LaTeX);
* ``obligations``: closed-form facts whose conjunction proves the statement for all parameters;
  each is a relation with its assumptions, read by the SymPy prover and by the Z3 encoder alike;
* ``tables``: claims, i.e. relations between a quantity measured on generated op tables and a
  formula, each evaluated at every point of a finite grid (the exhaustive method);
* ``variants``: plausible wrong statements (an off-by-one, a wrong exponent, a dropped
  hypothesis) that the checks must refute with a concrete counterexample.

Measured quantities are named by string keys (``"makespan"``, ``"delay.steady_max"``, ...) that
``checks`` knows how to read off a table, so ``theory`` never imports ``checks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

METHODS = ("symbolic", "smt", "exhaustive", "empirical")
"""Verification methods, in the order reports list them."""

SOURCES = {
    "P": "the paper's abstract (Ilin and Richtarik, arXiv 2606.03498, 2026)",
    "C": "the authors' public code and figures (vectozavr/randomized-pipedream)",
    "D": "a derivation not in the paper, proved here",
    "L": "other literature",
}


PREMISE_KINDS = ("hypothesis", "assumption", "lemma", "goal", "theorem")
"""Where a premise may come from: a formal hypothesis of the theorem (in
:attr:`Theorem.assumptions`), an assumption record (A1-A4, A3', ...;
``pipeproof.theory.assumptions``), a lemma of the lemma library, the goal of an earlier obligation
of the same theorem, or another catalogue theorem (by id). Nothing else: no premise is typed in by
hand."""


@dataclass(frozen=True)
class Premise:
    """One premise of an obligation with its provenance.

    Attributes:
        formula: the SymPy Boolean the provers assume.
        kind: one of :data:`PREMISE_KINDS`.
        source: the id of what it comes from: the hypothesis's text or index, the assumption
            record id ("A1"), the lemma name, the earlier obligation's name, or the theorem id.
        instance: a substitution (symbol, value) pairs applied to the source's formula to give
            ``formula`` (an instance of a goal at k + 1, of a lemma at given vectors, ...).
    """

    formula: sp.Basic
    kind: str
    source: str
    instance: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()


@dataclass(frozen=True)
class Obligation:
    """A closed-form fact: ``assumptions`` imply ``goal`` for all values of the free symbols.

    Attributes:
        name: short description shown in reports.
        goal: a SymPy Boolean (relation, And, Or, ...).
        assumptions: SymPy Booleans (the domains of the free symbols included).
        methods: which of "symbolic" and "smt" apply.
        parity: case splits the provers make before simplifying: a symbol x is split by
            parity (x = lo + 2n, lo + 1 + 2n), a pair (x, k) by its residue modulo k.
        premises: the provenance of the assumptions that are not domains of symbols: each
            non-domain assumption appears here as the formula of a :class:`Premise`.
    """

    name: str
    goal: sp.Basic
    assumptions: tuple[sp.Basic, ...] = ()
    methods: tuple[str, ...] = ("symbolic", "smt")
    parity: tuple[sp.Symbol | tuple[sp.Symbol, int], ...] = ()
    premises: tuple[Premise, ...] = ()

    def with_goal(self, goal: sp.Basic, name: str | None = None) -> Obligation:
        """The same obligation with another goal (used to build wrong variants)."""
        return replace(self, goal=goal, name=name or self.name)


@dataclass(frozen=True)
class Claim:
    """A relation between a measured quantity and a formula, checked on op tables.

    The formula may use the grid's parameters (S, M, NOAM, R, H, t_F, t_B) and index symbols
    (s, j, m) ranging over the quantity's array axes; ``where`` restricts the indices.

    Attributes:
        quantity: key of a table quantity known to ``checks`` (see
        ``pipeproof.checks.tables.measures``). formula: SymPy expression.
        relation: "==", "<=" or ">=" (measured on the left).
        index: index symbols, one per array axis of the quantity.
        where: SymPy Boolean over parameters and indices selecting the entries compared.
        convention: "C0" or "C1" for delay quantities.
    """

    quantity: str
    formula: sp.Expr
    relation: str = "=="
    index: tuple[sp.Symbol, ...] = ()
    where: sp.Basic = sp.true
    convention: str = "C1"


@dataclass(frozen=True)
class Grid:
    """A finite parameter range for the exhaustive method.

    ``microbatches`` lists rules giving M from S (for example ``10*S``); every other list is
    crossed with them. Points that violate ``condition`` are skipped. ``costs`` are (t_F, t_B)
    pairs, or (t_F, t_B, t_W) triples for the schedules with a split backward (t_B the input
    gradient's cost); ``chunks`` the model chunks per rank v of the chunked schedules.
    """

    schedule: str
    stages: tuple[int, int]
    microbatches: tuple[sp.Expr, ...]
    noam: tuple[sp.Expr | None, ...] = (None,)
    runs: tuple[sp.Expr, ...] = (sp.Integer(1),)
    local_steps: tuple[sp.Expr, ...] = (sp.Integer(1),)
    costs: tuple[tuple[int, ...], ...] = ((1, 1),)
    condition: sp.Basic = sp.true
    chunks: tuple[int, ...] = (1,)

    def describe(self) -> str:
        """A one-line statement of the range."""
        parts = [f"{self.schedule}: {self.stages[0]} <= S <= {self.stages[1]}",
                 "M in {" + ", ".join(map(str, self.microbatches)) + "}"]
        if self.noam != (None,):
            parts.append("NOAM in {" + ", ".join(map(str, self.noam)) + "}")
        if self.schedule == "localsgd":
            parts.append("R in {" + ", ".join(map(str, self.runs)) + "}")
            parts.append("H in {" + ", ".join(map(str, self.local_steps)) + "}")
        if self.chunks != (1,):
            parts.append("v in {" + ", ".join(map(str, self.chunks)) + "}")
        if self.costs != ((1, 1),):
            names = "(t_F, t_B, t_W)" if len(self.costs[0]) == 3 else "(t_F, t_B)"
            parts.append(f"{names} in {{" + ", ".join(map(str, self.costs)) + "}")
        if self.condition is not sp.true:
            parts.append(f"where {self.condition}")
        return ", ".join(parts)


@dataclass(frozen=True)
class TableCheck:
    """Claims checked at every point of one grid (the exhaustive method)."""

    grid: Grid
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Variant:
    """A plausible wrong form of a theorem; the checks must refute it with a counterexample.

    Attributes:
        description: what is wrong, in words ("off by one in the bubble fraction").
        obligations: closed-form goals the provers must find false (Z3 model or substitution).
        claims: measured relations the exhaustive method must find false on some table.
        grid: the range for ``claims`` (defaults to the grid of the theorem's first table
            check); a dropped hypothesis is a wider grid.
    """

    description: str
    obligations: tuple[Obligation, ...] = ()
    claims: tuple[Claim, ...] = ()
    grid: Grid | None = None


@dataclass(frozen=True)
class Theorem:
    """One entry of the catalogue.

    Attributes:
        id: stable identifier (THR-GPIPE, STL-PD-MAX, ...).
        title: one line.
        statement: SymPy relation, the headline claim.
        hypotheses: the hypotheses in words, one per entry.
        source: "[P]", "[C]", "[D]", "[L] ..." with the citation.
        obligations: proof obligations for the symbolic and SMT methods.
        tables: claims with the finite ranges on which the exhaustive method checks them.
        variants: wrong forms to refute.
        expected: the status every method is expected to reach ("proved" means the proof
            methods prove, the exhaustive method checks and the empirical method confirms;
            "confirmed" for a claim about measurements, which only the empirical method
            decides; "checked" for a claim only the exhaustive method decides; "refuted" for
            the paper's forms that are false).
        uses: ids of theorems whose results the obligations rely on.
        notes: what the theorem adds or how it relates to the paper, in words.
        assumptions: the formal hypotheses of ``statement`` (SymPy Booleans: the domains of
            its symbols and its conditions); the coverage check proves that these and the
            obligations' goals imply ``statement``.
        definitions: conservative definitions ``Eq(q(x, ...), expr)`` of the uninterpreted
            quantities the statement speaks about (``q`` an undefined function applied to
            distinct symbols, not occurring in ``expr``); read as for all x, ...
        parity: splits of statement symbols the coverage check makes, case by case (a symbol
            by parity, a pair (symbol, k) by its residue modulo k).
    """

    id: str
    title: str
    statement: sp.Basic
    hypotheses: tuple[str, ...]
    source: str
    obligations: tuple[Obligation, ...] = ()
    tables: tuple[TableCheck, ...] = ()
    variants: tuple[Variant, ...] = ()
    expected: str = "proved"
    uses: tuple[str, ...] = ()
    notes: str = ""
    tags: tuple[str, ...] = field(default=())
    assumptions: tuple[sp.Basic, ...] = ()
    definitions: tuple[sp.Basic, ...] = ()
    parity: tuple[sp.Symbol | tuple[sp.Symbol, int], ...] = ()

    def undecided(self) -> Theorem:
        """This theorem, after checking that no obligation was already decided when built.

        Raises:
            ValueError: naming the obligation whose goal SymPy reduced to True or False on
                construction (build its relations with ``evaluate=False``).
        """
        obligations = self.obligations + tuple(
            ob for variant in self.variants for ob in variant.obligations)
        for obligation in obligations:
            if obligation.goal in (sp.true, sp.false):
                raise ValueError(f"{self.id}: the goal of {obligation.name!r} was decided when "
                                 "it was built; build it with evaluate=False")
        return self

    def methods(self) -> tuple[str, ...]:
        """Methods that apply to this theorem, in report order."""
        found = {method for ob in self.obligations for method in ob.methods}
        if self.tables:
            found.add("exhaustive")
        if "empirical" in self.tags:
            found.add("empirical")
        return tuple(method for method in METHODS if method in found)
