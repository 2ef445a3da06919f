"""Section 5: the zero-bubble closed forms are proved only when right; a wrong form is refuted
by Z3 and by the exhaustive method on the policy tables."""

from __future__ import annotations

import sympy as sp

from pipeproof.checks.exhaustive import GridRun, compile_claim
from pipeproof.checks.provers.smt import prove_smt
from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import by_id
from pipeproof.theory.catalogue import throughput_zero_bubble as zb
from pipeproof.theory.catalogue.common import claim
from pipeproof.theory.catalogue.throughput_zb_h1 import ZB_H1, h1_weight
from pipeproof.theory.symbols import M, S, m, s


def test_section_five_is_in_the_catalogue():
    for theorem_id in ("THR-ZB-H1", "THR-ZB-H2", "THR-INTERLEAVED", "THR-ZB-V", "STL-SYNC-ZB"):
        assert by_id(theorem_id).variants


def test_zb_h2_obligations_are_proved():
    for obligation in by_id("THR-ZB-H2").obligations:
        assert prove_smt(obligation).status is Status.PROVED, obligation.name


def test_a_wrong_weight_form_is_refuted_by_z3():
    wrong = (zb.h2_forward, zb.h2_input, lambda stage=s, micro=m: 2 * M + stage + micro)
    assumptions = (*zb.op_tables.index_ranges(), zb.LONG)
    [overlap] = [ob for ob in zb.obligations(zb.weight_parts(), assumptions, wrong)
                 if "slot" in ob.name]
    verdict = prove_smt(overlap)
    assert verdict.status is Status.REFUTED and verdict.counterexample


def test_a_dropped_hypothesis_is_refuted_by_z3():
    refuted = []
    for obligation in by_id("THR-ZB-H2").obligations:
        short = tuple(a for a in obligation.assumptions if a != zb.LONG)
        dropped = type(obligation)(obligation.name, obligation.goal, short, obligation.methods)
        refuted += [obligation.name] if prove_smt(dropped).status is Status.REFUTED else []
    assert any("peak" in name for name in refuted)
    assert any("W" in name for name in refuted)


def test_a_wrong_zb_h1_form_is_refuted_on_the_policy_tables():
    run = GridRun(ZB_H1, [compile_claim(claim("weight_start", h1_weight() + sp.Integer(0)
                                              * S, s, m)),
                          compile_claim(claim("weight_start", h1_weight(s, m + 1) - 1, s, m))])
    run.run(max_stages=6)
    right, wrong = (run.verdict(state, 0.0) for state in run.claims)
    assert right.status is Status.CHECKED
    assert wrong.status is Status.REFUTED and wrong.counterexample["quantity"] == "weight_start"
