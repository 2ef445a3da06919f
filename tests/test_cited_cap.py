"""A proof that cites another theorem's statement is only as strong as that theorem."""

from __future__ import annotations

import dataclasses

from pipeproof.checks.runner import TheoremReport, cap_by_cited, cited_ids, with_cited
from pipeproof.checks.verdict import ObligationVerdict, Status, Verdict, theorem_status
from pipeproof.theory.catalogue import by_id


def _proved_obligation() -> ObligationVerdict:
    return ObligationVerdict("step", "x <= y", Status.PROVED, ("z3",), (), 0.0, (), None, None)


def _verdict(method: str, status: Status) -> Verdict:
    return Verdict(method=method, status=status, seconds=0.0, detail="")


def test_a_cited_theorem_that_is_not_proved_caps_the_status() -> None:
    obligations = [_proved_obligation()]
    proved = _verdict("coverage", Status.PROVED)
    provenance = _verdict("provenance", Status.PROVED)
    finite = [_verdict("exhaustive", Status.CHECKED)]
    assert theorem_status(obligations, proved, provenance, finite).status is Status.PROVED
    capped = theorem_status(obligations, proved, provenance, finite,
                            cited={"X": Status.CONFIRMED})
    assert capped.status is Status.CHECKED
    assert "cites X, which is confirmed" in capped.reason
    missing = theorem_status(obligations, proved, provenance, [], cited={"X": None})
    assert missing.status is Status.UNKNOWN
    assert "not checked in this run" in missing.reason
    assert theorem_status(obligations, proved, provenance, [],
                          cited={"X": Status.PROVED}).status is Status.PROVED


def test_the_cited_theorems_join_the_run() -> None:
    order = by_id("STL-PD-ORDER")
    assert cited_ids(order) == {"STL-PD-MAX"}
    assert [t.id for t in with_cited([order])] == ["STL-PD-ORDER", "STL-PD-MAX"]
    assert [t.id for t in with_cited([by_id("STL-PD-MAX"), order])] == ["STL-PD-MAX",
                                                                           "STL-PD-ORDER"]


def test_caps_settle_along_a_chain() -> None:
    """C is only confirmed, B cites C, A cites B: neither A nor B may read proved."""
    base = by_id("STL-PD-ORDER")

    def report(name: str, cites: str | None, own: Status) -> TheoremReport:
        theorem = dataclasses.replace(base, id=name, obligations=tuple(
            dataclasses.replace(ob, premises=tuple(
                dataclasses.replace(p, source=cites) if p.kind == "theorem" else p
                for p in ob.premises if cites or p.kind != "theorem"))
            for ob in base.obligations))
        made = TheoremReport(theorem)
        made.obligations = [_proved_obligation()]
        made.verdicts = [_verdict("coverage", Status.PROVED),
                         _verdict("provenance", Status.PROVED),
                         _verdict("empirical", own)]
        return made

    reports = [report("A", "B", Status.CONFIRMED), report("B", "C", Status.CONFIRMED),
               report("C", None, Status.CONFIRMED)]
    reports[2].obligations = []
    assert reports[2].status is Status.CONFIRMED
    assert reports[0].status is reports[1].status is Status.PROVED
    cap_by_cited(reports)
    assert reports[1].cited == {"C": Status.CONFIRMED}
    assert reports[0].cited == {"B": Status.CONFIRMED}
    assert [r.status for r in reports] == [Status.CONFIRMED] * 3
