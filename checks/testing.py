"""Theorems as tests: what each method must reach, and one assertion for a user's own theorem.

A theorem's checks pass when (see :attr:`pipeproof.checks.runner.TheoremReport.as_expected`)
its status is the expected one and every wrong variant is refuted. Per method (the items of the
pytest plugin, :mod:`pipeproof.checks.pytest_plugin`):

* ``symbolic`` and ``smt``: ``proved`` (``refuted`` for a theorem expected refuted);
* ``exhaustive``: ``checked``; ``empirical``: ``confirmed`` (``refuted`` when expected refuted);
* ``coverage``, ``provenance``, ``tautology``: ``proved`` for a theorem expected proved; for
  one expected ``confirmed`` or ``checked`` the proof is known to be incomplete, and such an
  item is an expected failure (``xfail``) unless it is proved;
* ``obligation[N]``: obligation N is ``proved`` (theorems not expected refuted);
* ``variant[N]``: wrong variant N is refuted with a counterexample.

In a user's test file::

    from pipeproof.checks.testing import assert_theorem

    def test_my_bound():
        assert_theorem(my_theorem(), profile="quick")

``assert_theorem`` raises AssertionError naming every expectation that failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SOUNDNESS = ("coverage", "provenance", "tautology")

PROOF_STATUS = {"symbolic": "proved", "smt": "proved", "exhaustive": "checked",
                "empirical": "confirmed", "coverage": "proved", "provenance": "proved",
                "tautology": "proved"}
"""The status each method reaches on a theorem expected proved."""


@dataclass(frozen=True)
class Outcome:
    """One expectation checked: passed, failed with a message, or an expected failure."""

    passed: bool
    message: str
    expected_failure: bool = False


def item_names(theorem: Any) -> list[str]:
    """The names of a theorem's test items, in order: ``status``, its methods, the soundness
    checks (when it has obligations), ``obligation[N]``, ``variant[N]``."""
    names = ["status", *theorem.methods()]
    if theorem.obligations:
        names += list(SOUNDNESS)
        if theorem.expected != "refuted":
            names += [f"obligation[{n}]" for n in range(len(theorem.obligations))]
    names += [f"variant[{n}]" for n in range(len(theorem.variants))]
    return names


def judge(report: Any, name: str) -> Outcome:
    """Whether ``report`` (a :class:`~pipeproof.checks.runner.TheoremReport`) meets the
    expectation of the item ``name`` (see :func:`item_names`)."""
    theorem = report.theorem
    if name == "status":
        return _status(report)
    if name.startswith("obligation["):
        folded = report.obligations[int(name[len("obligation["):-1])]
        return Outcome(folded.status.value == "proved",
                       f"obligation {folded.name!r}: {folded.status.value}"
                       + (f" ({folded.reason})" if folded.reason else "")
                       + f"; proved by {', '.join(folded.proved_by) or 'no prover'}")
    if name.startswith("variant["):
        variant = report.variants[int(name[len("variant["):-1])]
        refutation = variant.refutation
        return Outcome(refutation is not None,
                       f"wrong variant {variant.description!r}: "
                       + (f"refuted by {refutation.method}, counterexample "
                          f"{refutation.counterexample}" if refutation else
                          f"not refuted ({variant.status.value})"))
    return _method(report, name, theorem.expected)


def _method(report: Any, method: str, expected: str) -> Outcome:
    verdict = report.verdict(method)
    if verdict is None:
        return Outcome(False, f"{method}: did not run")
    wanted = "refuted" if expected == "refuted" and method not in SOUNDNESS \
        else PROOF_STATUS[method]
    reached = verdict.status.value
    message = f"{method}: {reached}, expected {wanted}" + (
        f" ({verdict.reason})" if verdict.reason else f" ({verdict.detail})")
    if reached == wanted:
        return Outcome(True, message)
    open_proof = method in SOUNDNESS and expected in ("confirmed", "checked")
    return Outcome(False, message, expected_failure=open_proof)


def _status(report: Any) -> Outcome:
    outcome = report.outcome
    message = (f"{report.theorem.id}: status {outcome.status.value}, expected "
               f"{report.theorem.expected}" + (f" ({outcome.reason})" if outcome.reason else ""))
    if not report.as_expected:
        missed = [variant.description for variant in report.variants
                  if variant.refutation is None]
        if missed:
            message += f"; wrong variants not refuted: {missed}"
    return Outcome(report.as_expected, message)


def assert_theorem(theorem: Any, profile: Any = "default", method: str | None = None,
                   check: Callable[..., Any] | None = None) -> Any:
    """Check ``theorem`` (a Theorem or a catalogue id) as the pytest plugin does and raise
    AssertionError naming every failed expectation; return the report.

    Args:
        theorem: a :class:`~pipeproof.theory.theorem.Theorem` or a catalogue id.
        profile: a profile name or :class:`~pipeproof.checks.profiles.Profile`.
        method: one item name (``smt``, ``obligation[2]``, ...) to assert alone; None asserts
            every item (expected failures of an open proof excepted).
        check: the function that checks (default :func:`pipeproof.checks.check`).
    """
    if check is None:
        from pipeproof.checks.one_theorem import check
    report = check(theorem, profile)
    names = [method] if method is not None else item_names(report.theorem)
    failed = [outcome.message for outcome in (judge(report, name) for name in names)
              if not outcome.passed and not outcome.expected_failure]
    if failed:
        raise AssertionError(f"{report.theorem.id} not as expected:\n  " + "\n  ".join(failed))
    return report
