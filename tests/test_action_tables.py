"""Per-rank action tables: the families' closed forms on their policy tables, wrong forms
refused, validity errors that name the rank and action, and zero staleness."""

from __future__ import annotations

import json

import pytest

from pipeproof.checks.cli.main import main
from pipeproof.checks.tables import action_formulas
from pipeproof.checks.tables.action_measures import measure
from pipeproof.checks.tables.action_policies import policy_table
from pipeproof.checks.tables.action_timing import InvalidActionTableError, time_table
from pipeproof.checks.tables.actions import build, from_dict, to_dict

UNIT = {"F": 1, "B": 2, "I": 1, "W": 1}
CASES = [("gpipe", 1, UNIT), ("1f1b", 1, UNIT), ("interleaved", 2, {"F": 1, "B": 1}),
         ("interleaved", 3, {"F": 1, "B": 1}), ("interleaved", 2, UNIT),
         ("zb-h1", 1, UNIT), ("zb-h1", 1, {"F": 1, "I": 2, "W": 1}),
         ("zb-h1", 1, {"F": 2, "I": 3, "W": 2}), ("zb-h2", 1, UNIT), ("zb-v", 2, UNIT)]


def _compared(family: str, ranks: int, micro: int, chunks: int, costs: dict):
    table = policy_table(family, ranks, micro, chunks, costs)
    return action_formulas.compare(table, measure(table, time_table(table)))


@pytest.mark.parametrize(("family", "chunks", "costs"), CASES)
def test_closed_forms_hold_on_the_policy_tables(family, chunks, costs):
    compared = 0
    for ranks in range(1, 9):
        for micro in (ranks, 2 * ranks, 4 * ranks):
            rows, reason = _compared(family, ranks, micro, chunks, costs)
            assert all(row.agrees for row in rows), (family, ranks, micro, rows)
            compared += bool(rows) and reason is None
    assert compared >= 16


def test_zb_h1_idle_is_a_third_of_1f1b_with_equal_costs():
    for ranks in range(2, 9):
        micro = 4 * ranks
        zb = measure(t := policy_table("zb-h1", ranks, micro), time_table(t))
        flush = measure(t := policy_table("1f1b", ranks, micro), time_table(t))
        assert set(zb.idle_per_rank) == {ranks - 1}
        assert set(flush.idle_per_rank) == {3 * (ranks - 1)}


def test_interleaved_bubble_over_ideal_is_s_minus_1_over_v_m():
    for chunks in (2, 3, 4):
        for ranks in range(2, 7):
            micro = 2 * ranks
            found = measure(t := policy_table("interleaved", ranks, micro, chunks,
                                              {"F": 1, "B": 1}), time_table(t))
            ideal = 2 * chunks * micro
            assert max(found.idle_per_rank) * chunks * micro == (ranks - 1) * ideal


@pytest.mark.parametrize(("family", "chunks", "wrong"), [
    ("interleaved", 2, lambda S, M, v: 2 * (v * M + S)),
    ("zb-h1", 1, lambda S, M, v: 3 * M + 3 * (S - 1)),
    ("zb-h2", 1, lambda S, M, v: 3 * M),
    ("zb-v", 2, lambda S, M, v: 6 * M + 2 * (S - 1)),
])
def test_wrong_makespans_are_refuted(family, chunks, wrong):
    refuted = []
    for ranks in range(2, 6):
        micro = 2 * ranks
        table = policy_table(family, ranks, micro, chunks,
                             {"F": 1, "B": 1} if family == "interleaved" else UNIT)
        refuted.append(measure(table, time_table(table)).makespan != wrong(ranks, micro, chunks))
    assert all(refuted)


def test_wrong_peak_is_refuted():
    table = policy_table("zb-h2", 4, 16)
    found = measure(table, time_table(table))
    assert list(found.peak_live_per_rank) != [2 * (4 - r) for r in range(4)]
    assert list(found.peak_live_per_rank) == [7, 5, 3, 1]


def test_synchronous_tables_read_one_weight_version():
    for family, chunks, costs in CASES:
        table = policy_table(family, 4, 8, chunks, costs)
        found = measure(table, time_table(table))
        assert (found.weight_versions, found.stale_reads) == (1, 0)


def test_round_trip_through_json():
    table = policy_table("zb-v", 3, 6)
    again = from_dict(json.loads(json.dumps(to_dict(table))))
    assert again == table


def test_missing_op_names_the_rank():
    data = to_dict(policy_table("zb-h1", 4, 8))
    data["ranks"][2] = [a for a in data["ranks"][2] if (a["op"], a["microbatch"]) != ("W", 3)]
    with pytest.raises(InvalidActionTableError, match=r"rank 2.*W of \(2, 3\) never runs"):
        time_table(from_dict(data))


def test_deadlock_names_the_blocked_actions():
    orders = [[(0, "B", 0), (0, "F", 0)], [(1, "F", 0), (1, "B", 0)]]
    with pytest.raises(InvalidActionTableError, match=r"deadlock.*rank 0 at B\(0, 0\) waits "
                                                      r"for F\(0, 0\)"):
        time_table(build(orders, 2, 1))


def test_duplicate_and_placement_errors():
    with pytest.raises(InvalidActionTableError, match=r"rank 0, action F\(0, 0\): listed twice"):
        time_table(build([[(0, "F", 0), (0, "F", 0), (0, "B", 0)]], 1, 1))
    with pytest.raises(InvalidActionTableError, match="placement"):
        time_table(build([[(0, "F", 0)], [(0, "B", 0)]], 1, 1))


def test_check_table_command(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(to_dict(policy_table("zb-h1", 4, 8))))
    assert main(["check-table", str(path)]) == 0
    assert "makespan: measured 27" in capsys.readouterr().out
    data = to_dict(policy_table("zb-h1", 4, 8))
    data["ranks"][0][0]["op"] = "X"
    path.write_text(json.dumps(data))
    assert main(["check-table", str(path)]) == 2
    assert "rank 0, action 0: op must be one of" in capsys.readouterr().err


def test_check_table_reports_a_disagreement(tmp_path, capsys):
    data = to_dict(policy_table("1f1b", 3, 6))
    data["schedule"]["family"] = "gpipe"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    assert main(["check-table", str(path), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert not result["theorem"]["agrees"]
