"""Derivation coverage of the CONV chains (``pipeproof.checks.soundness.derivation``).

The chains are covered; every record they list and use is needed; and the edits a hostile
reviewer would try are refused: a weakened premise carrying a false bound, a premise at another
quantity or at a constant, an unlisted record, a missing step, an index outside its domain, a
fixed or shared induction witness, a quantity of a step written as a plain symbol, a lemma
about vectors at a constant, a premise cited from another theorem, and vacuous hypotheses. Each
edit is made in memory on a copy of the theorem (``dataclasses.replace``).
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.derivation import derivation_problems
from pipeproof.checks.verdict import Status
from pipeproof.theory import convergence as cv
from pipeproof.theory import lemmas
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue.convergence import chain
from pipeproof.theory.catalogue.convergence.premises import derive, earlier
from pipeproof.theory.catalogue.convergence.rpd import rpd_staleness
from pipeproof.theory.convergence import G, K, S, delta, dist2, gamma, k
from pipeproof.theory.theorem import Obligation, Premise, Theorem

PROVED = ("CONV-RPD", "CONV-BLOCK", "CONV-PD-LAG", "CONV-VAR", "CONV-NOG")


def _problems(theorem: Theorem, records: tuple[str, ...] | None = None) -> list[str]:
    listed = chain.ASSUMPTIONS[theorem.id] if records is None else records
    return derivation_problems(theorem, set(chain.CONSTANTS), listed)


def _obligation(theorem: Theorem, prefix: str) -> Obligation:
    return next(ob for ob in theorem.obligations if ob.name.startswith(prefix))


def _with(theorem: Theorem, old: Obligation, new: Obligation | None) -> Theorem:
    kept = (ob for ob in theorem.obligations if ob is not old or new is not None)
    return dataclasses.replace(theorem, obligations=tuple(
        new if ob is old else ob for ob in kept))


def _swap(theorem: Theorem, prefix: str, source: str, premise: Premise) -> Theorem:
    """``theorem`` with the premise from ``source`` of the obligation ``prefix`` replaced."""
    obligation = _obligation(theorem, prefix)
    old = next(p for p in obligation.premises if p.source.startswith(source))
    edited = dataclasses.replace(
        obligation, premises=tuple(premise if p is old else p for p in obligation.premises),
        assumptions=tuple(premise.formula if a == old.formula else a
                          for a in obligation.assumptions))
    return _with(theorem, obligation, edited)


def _mentions(found: list[str], *words: str) -> bool:
    return any(all(word in text for word in words) for text in found)


@pytest.mark.parametrize("theorem_id", PROVED)
def test_the_chain_derives_the_statement(theorem_id):
    verdict = check_coverage(by_id(theorem_id))
    assert verdict.status is Status.PROVED, verdict.reason
    assert "derivation" in verdict.detail
    assert verdict.seconds < 10


@pytest.mark.parametrize("theorem_id", PROVED)
def test_every_record_the_chain_uses_is_needed(theorem_id):
    """Dropping a record the chain uses (directly or through a lemma) from the theorem's list
    leaves a step unjustified."""
    theorem = by_id(theorem_id)
    used = set()
    for obligation in theorem.obligations:
        for premise in obligation.premises:
            if premise.kind == "assumption":
                used.add(premise.source)
            if premise.kind == "lemma":
                used.update(lemmas.LEMMAS[premise.source].assumes)
    listed = chain.ASSUMPTIONS[theorem_id]
    assert {"A1", "A2", "A3", "DELAY"} <= used <= {*listed, "RPD", "STALE"}
    for record in sorted(used & set(listed)):
        fewer = tuple(name for name in listed if name != record)
        assert _problems(theorem, fewer), record


def test_vacuous_hypotheses_are_refused():
    theorem = by_id("CONV-VAR")
    cv_gamma, cv_l = cv.gamma, cv.L
    clash = dataclasses.replace(theorem, assumptions=(
        *theorem.assumptions, cv_l * cv_gamma >= 2))
    verdict = check_coverage(clash)
    assert verdict.status is Status.UNKNOWN
    assert "vacuous" in verdict.reason


def _weakened_rpd() -> Theorem:
    """CONV-RPD with the window's moments weakened to sum_t E||g^t||^2 <= G^2 and the stale
    term delta in place of delta^2, every step restated to fit (the false bound of the
    reviewer's edit: S = 1, gamma = 0.01, delta = 1000 gives 0.85 against 0.11)."""
    theorem = by_id("CONV-RPD")
    steps = chain.head()
    count, moments, at_window, spread, _, _ = rpd_staleness(steps[-1])
    weak = Premise(cv.window_g2 <= G**2, "goal", at_window.name)
    distance = derive("stale distance 5, weakened", dist2(k) <= gamma**2 * delta * G**2,
                      earlier(count), weak, earlier(spread))
    stale = derive("step 5, weakened", chain.stale_descent(delta), earlier(steps[-1]),
                   earlier(distance))
    constant = gamma * S * cv.L * G**2 + cv.L**2 * cv.stale_distance(delta)
    tail = chain.tail(stale, constant, cv.rpd_bound(delta))
    return dataclasses.replace(
        theorem, statement=chain.partial(chain.grad2, K) / K <= cv.rpd_bound(delta),
        obligations=(*steps, count, moments, at_window, spread, distance, stale, *tail))


def test_the_weakened_window_premise_carrying_a_false_bound_is_not_covered():
    weakened = _weakened_rpd()
    distance = _obligation(weakened, "stale distance 5, weakened")
    assert prove_smt(distance).status is Status.PROVED  # the weak premise carries it ...
    found = _problems(weakened)
    assert _mentions(found, "stale distance 5, weakened", "stale distance 3")  # ... from nowhere
    assert check_coverage(weakened).status is not Status.PROVED


def test_delta_for_delta_squared_in_the_statement_alone_is_not_covered():
    theorem = by_id("CONV-RPD")
    edited = dataclasses.replace(
        theorem, statement=chain.partial(chain.grad2, K) / K <= cv.rpd_bound(delta))
    assert _mentions(_problems(edited), "no obligation's goal is the statement")
    assert check_coverage(edited).status is not Status.PROVED


def test_a_record_at_another_quantity_is_refused():
    """A4 stated for E<grad f(x^k), grad f(z^k)> instead of E||g^k||^2: the provenance check
    accepts it (a substitution of the record's formula), the derivation does not."""
    premise = Premise(cv.cross <= G**2, "assumption", "A4", ((cv.sample2, cv.cross),))
    edited = _swap(by_id("CONV-RPD"), "step 2", "A4", premise)
    assert _mentions(_problems(edited), "step 2", "not an index")


def test_a_goal_at_a_constant_is_refused():
    theorem = by_id("CONV-RPD")
    distance = _obligation(theorem, "stale distance 5")
    premise = earlier(distance, {gamma: gamma / 2})
    edited = _swap(theorem, "step 5", "stale distance 5", premise)
    assert _mentions(_problems(edited), "step 5", "replaces gamma")


def test_a_goal_at_another_step_is_accepted_only_inside_its_domain():
    """The goal of an earlier obligation holds at every step, so k + 1 is a valid instance; a
    block index outside 0..S - 1 is not."""
    theorem = by_id("CONV-RPD")
    first = _obligation(theorem, "step 1")
    shifted = earlier(first, {k: k + 1})
    assert shifted.formula != first.goal
    edited = _swap(theorem, "step 2", "step 1", shifted)
    assert not _mentions(_problems(edited), "step 2")
    lag = by_id("CONV-PD-LAG")
    block = _obligation(lag, "block j: its read misses")
    j = next(iter(s for s in block.goal.free_symbols if s.name == "j"))
    outside = _swap(lag, "sum over the blocks", "block j: its read misses",
                    earlier(block, {j: j + S}))
    assert _mentions(_problems(outside), "sum over the blocks", "does not imply")


def test_a_hypothesis_outside_its_range_is_refused():
    lag = by_id("CONV-PD-LAG")
    block = _obligation(lag, "block j: its read misses")
    listed = {p.formula for p in block.premises}
    unbounded = dataclasses.replace(block, assumptions=tuple(
        a for a in block.assumptions if a in listed or a == (S >= 1)))
    assert _mentions(_problems(_with(lag, block, unbounded)), "outside the range")


def test_an_unlisted_record_is_refused():
    theorem = by_id("CONV-RPD")
    found = _problems(theorem, tuple(r for r in chain.ASSUMPTIONS["CONV-RPD"] if r != "A4"))
    assert _mentions(found, "A4 is not a hypothesis")


def test_a_missing_step_is_refused():
    theorem = by_id("CONV-RPD")
    edited = _with(theorem, _obligation(theorem, "stale distance 3"), None)
    assert _mentions(_problems(edited), "no earlier obligation named")
    assert check_coverage(edited).status is not Status.PROVED


def test_a_later_goal_is_refused():
    theorem = by_id("CONV-RPD")
    obligations = list(theorem.obligations)
    first = obligations.index(_obligation(theorem, "step 1"))
    second = obligations.index(_obligation(theorem, "step 2"))
    obligations[first], obligations[second] = obligations[second], obligations[first]
    edited = dataclasses.replace(theorem, obligations=tuple(obligations))
    assert _mentions(_problems(edited), "no earlier obligation named")


def test_an_induction_witness_in_the_goal_or_shared_is_refused():
    theorem = by_id("CONV-RPD")
    at_window = _obligation(theorem, "stale distance 3")
    in_goal = at_window.with_goal(sp.And(at_window.goal, lemmas.witness <= cv.window_n))
    assert _mentions(_problems(_with(theorem, at_window, in_goal)), "witness W occurs")
    use = next(p for p in at_window.premises if p.source == "induction")
    twice = dataclasses.replace(at_window, premises=(*at_window.premises, use))
    assert _mentions(_problems(_with(theorem, at_window, twice)), "more than one induction")


def test_an_induction_with_a_fixed_witness_is_refused():
    theorem = by_id("CONV-RPD")
    at_window = _obligation(theorem, "stale distance 3")
    use = next(p for p in at_window.premises if p.source == "induction")
    pinned = tuple((key, value.xreplace({lemmas.witness: 0})) for key, value in use.instance)
    fixed = Premise(lemmas.INDUCTION.xreplace({**dict(pinned), lemmas.witness: 0}), "lemma",
                    "induction", (*pinned, (lemmas.witness, sp.Integer(0))))
    edited = _swap(theorem, "stale distance 3", "induction", fixed)
    assert _mentions(_problems(edited), "stale distance 3", "induction")


def test_a_quantity_of_a_step_as_a_plain_symbol_is_refused():
    theorem = by_id("CONV-RPD")
    first = _obligation(theorem, "step 1")
    plain = sp.Symbol("sample2", real=True)

    def flat(formula):
        return formula.xreplace({cv.sample2: plain})

    edited = dataclasses.replace(
        first, goal=flat(first.goal), assumptions=tuple(flat(a) for a in first.assumptions),
        premises=tuple(dataclasses.replace(p, formula=flat(p.formula)) for p in first.premises))
    assert _mentions(_problems(_with(theorem, first, edited)), "sample2",
                     "neither a constant")


def test_a_vector_lemma_at_a_constant_is_refused():
    theorem = by_id("CONV-RPD")
    spread = _obligation(theorem, "stale distance 4")
    wrong = lemmas.LEMMAS["cauchy-schwarz"].at(norm2_sum=dist2(k), count=delta,
                                               sum_norm2=cv.window2)
    edited = _swap(theorem, "stale distance 4", "cauchy-schwarz", wrong)
    assert spread.goal is not None
    assert _mentions(_problems(edited), "cauchy-schwarz", "not a named quantity")


def test_a_lemma_needing_an_unlisted_record_is_refused():
    """The block counting lemma needs A4; a theorem that does not list A4 cannot use it."""
    theorem = by_id("CONV-BLOCK")
    found = _problems(theorem, ("A1", "A2", "A3", "DELAY"))
    assert _mentions(found, "block counting needs A4")


def test_a_cited_goal_is_checked_in_its_own_theorem():
    theorem = by_id("CONV-BLOCK")
    head = _obligation(theorem, "step 4")
    cited = Premise(head.goal, "theorem", "CONV-RPD")
    edited = _swap(theorem, "staleness, block counting", "step 4", cited)
    assert _mentions(_problems(edited), "checked in its own theorem")


def test_the_no_moment_chain_without_a_record_it_needs_is_not_covered():
    """CONV-NOG lists no A4: a chain that used A4 would not be covered; without A3' or DELAY its
    window moments and sampling are not justified."""
    theorem = by_id("CONV-NOG")
    assert "A4" not in chain.ASSUMPTIONS["CONV-NOG"]
    assert _mentions(_problems(theorem, ("A1", "A2", "A3", "DELAY")), "A3'")
    assert _mentions(_problems(theorem, ("A1", "A2", "A3", "A3'")), "DELAY")
    moments = _obligation(theorem, "window moments 1")
    with_a4 = Premise(cv.update2(cv.k) <= G**2, "assumption", "A4")
    edited = dataclasses.replace(moments, premises=(*moments.premises, with_a4),
                                 assumptions=(*moments.assumptions, with_a4.formula))
    assert _mentions(_problems(_with(theorem, moments, edited)), "A4 is not a hypothesis")


def test_the_no_moment_window_sums_without_their_induction_are_not_covered():
    theorem = by_id("CONV-NOG")
    concluded = next(ob for ob in theorem.obligations
                     if ob.name.startswith("window sums 6") and "lemma induction" in ob.name)
    found = _problems(_with(theorem, concluded, None))
    assert _mentions(found, "no earlier obligation named")


def test_records_that_contradict_each_other_are_refused(monkeypatch):
    """A record whose chain formulas have no model (here A4 read as G^2 <= -1) would make
    every step follow: the derivation is then not counted."""
    from pipeproof.theory import assumptions

    original = assumptions.by_id

    def broken(name):
        record = original(name)
        return dataclasses.replace(record, chain=(G**2 <= -1,)) if name == "A4" else record

    monkeypatch.setattr(assumptions, "by_id", broken)
    verdict = check_coverage(by_id("CONV-RPD"))
    assert verdict.status is Status.UNKNOWN
    assert "records" in verdict.reason and "no model" in verdict.reason


def test_a_summation_index_renamed_into_a_free_symbol_is_refused():
    """block distances sums block_dist2(k, x) over x; renaming x to the free step k would
    capture it."""
    theorem = by_id("CONV-PD-LAG")
    use = next(p for ob in theorem.obligations for p in ob.premises
               if p.source == "block distances")
    captured = lemmas.LEMMAS["block distances"].at(x=k)
    assert captured.formula != use.formula
    edited = _swap(theorem, "stale distance:", "block distances", captured)
    assert _mentions(_problems(edited), "block distances", "free there")
