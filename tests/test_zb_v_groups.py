"""THR-ZB-V by group and offset: the forms equal the closed forms of the docstring on every table
point tried, Z3 proves the statement's obligations and the W part from their instances, and
broken forms (a window slot one later, a W place one later, a peak one lower, a last W one slot
later) are refuted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.exhaustive import BROADCASTING
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue import throughput_zb_v as zbv
from pipeproof.theory.catalogue import zb_v_groups as groups
from pipeproof.theory.catalogue import zb_v_proof as proof
from pipeproof.theory.symbols import M, S, m, s
from pipeproof.theory.theorem import Obligation

GROUP, OFFSET = sp.symbols("group offset", integer=True)
PAIRS = {
    "F": (zbv.v_forward(), groups.forward(s, GROUP, OFFSET)),
    "I": (zbv.v_input(), groups.input_gradient(s, GROUP, OFFSET)),
    "W": (zbv.v_weight(), groups.weight(s, GROUP, OFFSET)),
    "P": (sp.Piecewise((zbv.w_position(s, m, True), s >= S), (zbv.w_position(s, m, False), True)),
          groups.place(s, GROUP, OFFSET)),
}


def _table(form: sp.Expr, stages: int, micro: int) -> np.ndarray:
    function = sp.lambdify((S, M, s, m), form, [BROADCASTING, "numpy"])
    rows, columns = np.arange(2 * stages).reshape(-1, 1), np.arange(micro).reshape(1, -1)
    return np.broadcast_to(function(stages, micro, rows, columns), (2 * stages, micro))


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_group_forms_are_the_closed_forms(name):
    closed, grouped = PAIRS[name]
    at_m = groups.at_microbatch(grouped, GROUP, OFFSET, m)
    for stages in range(1, 9):
        for micro in (2 * stages - 1, 2 * stages, 3 * stages + 1, 5 * stages + 2):
            assert np.array_equal(_table(closed, stages, micro), _table(at_m, stages, micro)), (
                name, stages, micro)


@pytest.mark.slow
def test_theorem_is_proved_by_its_obligations():
    theorem = by_id("THR-ZB-V")
    assert theorem.expected == "proved" and theorem.obligations == proof.obligations()
    for obligation in theorem.obligations:
        assert prove_smt(obligation).status is Status.PROVED, obligation.name
    assert check_coverage(theorem).status is Status.PROVED
    assert check_provenance(theorem).status is Status.PROVED


@pytest.mark.slow
def test_the_w_part_follows_from_instances_of_earlier_goals():
    weights = proof.weight_obligation()
    theorem = replace(by_id("THR-ZB-V"), obligations=(*proof.obligations(), weights))
    assert check_provenance(theorem).status is Status.PROVED
    instances = [p for p in weights.premises if p.kind == "goal"]
    assert len(instances) >= 10 and sum(bool(p.instance) for p in instances) >= 8
    assert prove_smt(weights).status is Status.PROVED
    bare = Obligation(weights.name, weights.goal, proof.assumptions(), ("smt",))
    assert prove_smt(bare).status is not Status.PROVED


def _refuted(obligations, prefix: str) -> list[str]:
    """The obligations named ``prefix``... that Z3 refutes (the others must still be proved)."""
    found = []
    for obligation in (ob for ob in obligations if ob.name.startswith(prefix)):
        status = prove_smt(obligation).status
        assert status in (Status.PROVED, Status.REFUTED), obligation.name
        if status is Status.REFUTED:
            found.append(obligation.name)
    return found


def test_a_window_slot_one_later_fails_the_proof():
    def late(rank, position):
        early = groups.free_before(rank) - groups.window_free(rank)
        window = sp.And(position >= early, position < groups.free_before(rank))
        return groups.slot(rank, position) + sp.Piecewise((1, window), (0, True))

    assert _refuted(proof.obligations(slot=late), "free slots in")


def test_a_w_place_one_later_fails_the_proof(monkeypatch):
    later_place = groups.later_place
    monkeypatch.setitem(proof.FORMS, ("P", "L"), lambda *args: later_place(*args) + 1)
    proof.obligations.cache_clear()
    try:
        assert _refuted(proof.obligations(), "W places of a rank")
    finally:
        proof.obligations.cache_clear()


def test_a_peak_of_2s_minus_1_and_a_later_last_w_are_refuted():
    theorem = by_id("THR-ZB-V")
    wrong = [ob for variant in theorem.variants for ob in variant.obligations]
    assert {ob.name for ob in wrong} == {"at most 2S - 1 live", "the last W ends at 6M + S"}
    for obligation in wrong:
        assert prove_smt(obligation).status is Status.REFUTED, obligation.name
