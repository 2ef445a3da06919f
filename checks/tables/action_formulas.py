"""The closed forms of each schedule family, compared with a timed action table.

S ranks, M microbatches, v chunks per rank; costs t_F, t_B (whole backward), t_I, t_W. Each
family's forms, with the hypotheses under which they hold (derived here; the policy tables of
:mod:`.action_policies` agree with them at every point of ``tests/test_action_tables.py``'s
ranges, S = 1..8 and M in {S, 2S, 4S}, and on the grids of the section 5 theorems):

* ``gpipe``: makespan (t_F + t_B)(M + S - 1), idle per rank (t_F + t_B)(S - 1), peak live M
  (Huang et al. 2019);
* ``1f1b`` (with a flush): the same makespan and idle, peak live min(S - r, M) on rank r
  (Narayanan et al. 2021);
* ``interleaved`` (Megatron-LM, S | M): makespan (t_F + t_B)(vM + S - 1) in chunk ops of cost
  t_F, t_B, so idle per rank (t_F + t_B)(S - 1) and bubble over ideal (S - 1)/(vM); peak live
  chunk activations on rank r: min(2(S - 1 - r) + (v - 1)S + 1, vM) for v >= 2, min(S - r, M)
  for v = 1;
* ``zb-h1`` (Qi et al. 2024): makespan M(t_F + t_I + t_W) + (S - 1)(t_F + t_I - t_W), so idle
  per rank (S - 1)(t_F + t_I - t_W), peak live min(S - r, M) (1F1B's), when t_W = t_F <= t_I
  or t_W = 1 (not in general: with t_W > t_F, or at t_F = 3, t_I = t_W = 2, the policy's
  makespan exceeds the form by 1 to 4 slots at S <= 5);
* ``zb-h2``, M >= 2S, unit costs: makespan 3M + S - 1 and no gap inside any rank's busy span
  (each rank works M(t_F + t_I + t_W) slots without a pause, so steps that overlap through a
  post-validated optimizer step run with period 3M: bubble 0), peak live 2(S - r) - 1;
* ``zb-v``, M >= 2S, unit costs: two chunks per rank, makespan 6M + S - 1 in chunk slots, no gap
  inside any busy span, peak live 2S chunk activations on every rank (S whole-stage activations,
  1F1B's peak on rank 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeproof.checks.tables.action_measures import TableMeasures
from pipeproof.checks.tables.actions import ActionTable


@dataclass(frozen=True)
class Comparison:
    """One quantity of a table against its family's closed form."""

    quantity: str
    measured: object
    formula: str
    expected: object

    @property
    def agrees(self) -> bool:
        """True when the measured value equals the closed form's."""
        return self.measured == self.expected

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"quantity": self.quantity, "measured": self.measured, "formula": self.formula,
                "expected": self.expected, "agrees": self.agrees}


def _peaks(rule, ranks: int) -> list[int]:
    return [rule(r) for r in range(ranks)]


def applies(family: str | None, ranks: int, micro: int, chunks: int,
            costs: Mapping[str, int]) -> str | None:
    """Why the family's forms do not apply to these parameters, or None when they do."""
    t_f, t_i, t_w = (int(costs[op]) for op in "FIW")
    unit = t_f == t_i == t_w == 1
    reasons = {
        None: "the table names no schedule family",
        "interleaved": None if micro % ranks == 0 else "interleaved needs S | M",
        "zb-h1": None if t_w == 1 or t_w == t_f <= t_i else "zb-h1's form needs t_W = t_F <= "
                 "t_I or t_W = 1",
        "zb-h2": None if unit and micro >= 2 * ranks else "zb-h2's form needs unit costs and "
                 "M >= 2S",
        "zb-v": None if unit and micro >= 2 * ranks and chunks == 2 else "zb-v's form needs "
                "unit costs, two chunks per rank and M >= 2S",
    }
    if family not in ("gpipe", "1f1b", "interleaved", "zb-h1", "zb-h2", "zb-v"):
        return reasons[None] if family is None else f"no theorem for family {family!r}"
    return reasons.get(family)


def compare(table: ActionTable, found: TableMeasures) -> tuple[list[Comparison], str | None]:
    """The family's forms (module docstring) against ``found``; the reason when none apply."""
    ranks, micro = table.num_ranks, table.num_microbatches
    chunks = table.chunks or max(1, table.num_stages // max(1, ranks))
    reason = applies(table.family, ranks, micro, chunks, table.costs)
    if reason is not None:
        return [], reason
    t_f, t_b, t_i, t_w = (int(table.costs[op]) for op in "FBIW")
    S, M, v = ranks, micro, chunks
    family = table.family
    rows: list[tuple[str, object, str, object]] = []
    if family in ("gpipe", "1f1b"):
        rows.append(("makespan", found.makespan, "(t_F + t_B)(M + S - 1)",
                     (t_f + t_b) * (M + S - 1)))
        peak = [M] * S if family == "gpipe" else _peaks(lambda r: min(S - r, M), S)
        rows.append(("peak_live", list(found.peak_live_per_rank),
                     "M" if family == "gpipe" else "min(S - r, M)", peak))
    elif family == "interleaved":
        rows.append(("makespan", found.makespan, "(t_F + t_B)(vM + S - 1)",
                     (t_f + t_b) * (v * M + S - 1)))
        rule = (lambda r: min(S - r, M)) if v == 1 else (
            lambda r: min(2 * (S - 1 - r) + (v - 1) * S + 1, v * M))
        rows.append(("peak_live", list(found.peak_live_per_rank),
                     "min(2(S - 1 - r) + (v - 1)S + 1, vM)" if v > 1 else "min(S - r, M)",
                     _peaks(rule, S)))
    elif family == "zb-h1":
        rows.append(("makespan", found.makespan, "M(t_F + t_I + t_W) + (S - 1)(t_F + t_I - t_W)",
                     M * (t_f + t_i + t_w) + (S - 1) * (t_f + t_i - t_w)))
        rows.append(("peak_live", list(found.peak_live_per_rank), "min(S - r, M)",
                     _peaks(lambda r: min(S - r, M), S)))
    else:
        work = 3 * M * (2 if family == "zb-v" else 1)
        rows.append(("makespan", found.makespan, f"{'6' if family == 'zb-v' else '3'}M + S - 1",
                     work + S - 1))
        rows.append(("gaps", list(found.gaps_per_rank), "0 on every rank", [0] * S))
        rows.append(("peak_live", list(found.peak_live_per_rank),
                     "2S" if family == "zb-v" else "2(S - r) - 1",
                     _peaks((lambda r: 2 * S) if family == "zb-v" else
                            (lambda r: 2 * (S - r) - 1), S)))
    return [Comparison(*row) for row in rows], None
