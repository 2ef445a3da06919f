"""THR-INTERLEAVED: the closed form of interleaved 1F1B is proved only when right; wrong forms,
wrong index sets and wrong makespans are refuted by Z3, and the policy tables equal the form."""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.exhaustive import GridRun, compile_claim
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.tables.action_policies import policy_table
from pipeproof.checks.tables.action_views import ActionView, action_spec
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue import throughput_interleaved as ilv
from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.catalogue.op_tables import B, F
from pipeproof.theory.symbols import M, S, m, s, v
from pipeproof.theory.theorem import Grid, Obligation

SMALL = Grid("interleaved", (1, 5), (S, 2 * S, 3 * S), chunks=(2, 3))


def _named(obligations, word: str) -> Obligation:
    [found] = [ob for ob in obligations if word in ob.name]
    return found


def test_every_obligation_is_proved():
    theorem = by_id("THR-INTERLEAVED")
    assert theorem.expected == "proved" and len(theorem.obligations) == 6
    for obligation in theorem.obligations:
        assert prove_smt(obligation).status is Status.PROVED, obligation.name


def test_forwards_that_do_not_wait_for_the_wrap_break_a_dependency():
    def early(rank=s, index=ilv.k):
        return sp.Max(index + rank, 2 * index - ilv.warmup(rank) + rank)

    _, _, obligations = ilv.formal(early, ilv.backward)
    verdict = prove_smt(_named(obligations, "dependencies"))
    assert verdict.status is Status.REFUTED and verdict.counterexample


def test_backwards_without_the_drain_miss_the_makespan():
    def late(rank=s, index=ilv.k):
        return ilv.backward(rank, index).args[1]

    _, _, obligations = ilv.formal(ilv.forward, late)
    refuted = [ob.name for ob in obligations if prove_smt(ob).status is Status.REFUTED]
    assert any("makespan" in name for name in refuted), refuted


def test_the_wrap_set_cannot_include_the_first_chunk_zero_group():
    """F(0, k) >= F(S - 1, k - S) + 1 fails for some vS <= k < vS + S, where chunk 0 has no
    wrap: the statement's index set is as wide as the form allows, no wider."""
    wide = sp.Implies(sp.And(ilv.k >= S, ilv.k <= ilv.total() - 1),
                      F(S - 1, ilv.k - S) + 1 <= F(0, ilv.k))
    with sp.evaluate(False):
        goal = wide.replace(F, ilv.forward).replace(B, ilv.backward)
    verdict = prove_smt(Obligation("wrap everywhere", goal, ilv.index_ranges(), ("smt",)))
    assert verdict.status is Status.REFUTED
    k = verdict.counterexample["k"]
    assert verdict.counterexample["v"] * verdict.counterexample["S"] <= k


def test_chunk_zero_needs_whole_groups():
    """Without g <= q - 1 (the groups of S microbatches that M = qS makes) an index of chunk 0
    may leave the run: the arithmetic part is not vacuous."""
    loose = ilv.wrap_indices().replace(ilv.g <= ilv.q - 1, sp.true)
    verdict = prove_smt(Obligation("any group", loose, ilv.index_ranges(), ("smt",)))
    assert verdict.status is Status.REFUTED


def test_a_peak_one_higher_is_refuted_by_z3():
    goal = ilv._unfold(ilv._peak(ilv.peak_live() + 1))
    verdict = prove_smt(Obligation("peak + 1", goal, ilv.index_ranges(), ("smt",)))
    assert verdict.status is Status.REFUTED


def test_the_policy_tables_equal_the_closed_form():
    right = (claim("rank_forward_start", ilv.forward(s, m), s, m),
             claim("rank_backward_start", ilv.backward(s, m), s, m))
    wrong = claim("rank_backward_start", ilv.backward(s, m) + sp.Piecewise(
        (1, sp.Eq(m, v * M - 1)), (0, True)), s, m)
    run = GridRun(SMALL, [compile_claim(c) for c in (*right, wrong)])
    run.run()
    verdicts = [run.verdict(state, 0.0) for state in run.claims]
    assert [v.status for v in verdicts[:2]] == [Status.CHECKED, Status.CHECKED]
    assert verdicts[2].status is Status.REFUTED
    assert verdicts[2].counterexample["quantity"] == "rank_backward_start"


def test_rank_starts_number_each_ranks_ops_in_its_order():
    view = ActionView(action_spec("interleaved", 2, 2, 2))
    table = policy_table("interleaved", 2, 2, 2, {"F": 1, "B": 1})
    forwards = view.rank_starts("F")
    assert forwards.shape == (2, 4)
    assert [a.op for a in table.ranks[0]][:4] == ["F", "F", "F", "F"]
    # rank 1 waits one slot for the backward of its third forward's turn: w_1 = 2
    assert forwards[0].tolist() == [0, 1, 2, 3] and forwards[1].tolist() == [1, 2, 3, 5]
    assert view.rank_starts("B").tolist() == [[5, 7, 8, 9], [4, 6, 7, 8]]
