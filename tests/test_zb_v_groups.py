"""THR-ZB-V by group and offset: the forms equal the closed forms of the docstring on every table
point tried, Z3 proves the statement's obligations and the W part from their instances, and
broken forms (a window slot one later, a W place one later) fail the proof."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from pipeproof.checks.exhaustive import BROADCASTING
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.soundness.coverage import check_coverage
from pipeproof.checks.soundness.provenance import check_provenance
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import throughput_zb_v as zbv
from pipeproof.theory.catalogue import zb_v_groups as groups
from pipeproof.theory.catalogue import zb_v_proof as proof
from pipeproof.theory.symbols import M, S, m, s
from pipeproof.theory.theorem import Theorem

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


def _theorem(obligations) -> Theorem:
    return Theorem(id="ZB-V-PARTS", title="parts", statement=proof.statement(), hypotheses=(),
                   source="[D]", obligations=obligations, assumptions=proof.assumptions(),
                   definitions=proof.definitions())


def test_obligations_are_proved_and_cover_the_parts():
    obligations = proof.obligations()
    for obligation in obligations:
        assert prove_smt(obligation).status is Status.PROVED, obligation.name
    parts = tuple(ob for ob in obligations if ob.name != proof.WEIGHTS)
    assert check_coverage(_theorem(parts)).status is Status.PROVED
    assert check_provenance(_theorem(obligations)).status is Status.PROVED


def test_the_w_part_rests_on_instances_of_earlier_goals():
    [weights] = [ob for ob in proof.obligations() if ob.name == proof.WEIGHTS]
    instances = [p for p in weights.premises if p.kind == "goal"]
    assert len(instances) >= 10 and all(p.instance or p.source.startswith("W places")
                                        for p in instances)
    bare = weights.__class__(weights.name, weights.goal, proof.assumptions(), ("smt",))
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
    monkeypatch.setattr(groups, "later_place", lambda *args: later_place(*args) + 1)
    assert _refuted(proof.obligations(), "W places of a rank")
