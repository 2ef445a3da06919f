"""PyTorch's schedule tables, built without a process group (skipped without torch)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from pipeproof.checks.external_torch import check_one, smallest_disagreements, survey


def test_gpipe_and_interleaved_agree_with_the_theorems():
    for name in ("GPipe", "Interleaved1F1B"):
        outcome = check_one(name, 4, 8)
        assert outcome.status == "agrees", outcome.detail


def test_1f1b_pipeline_order_skips_the_last_ranks_first_forward():
    outcome = check_one("1F1B", 2, 2)
    assert outcome.status == "invalid" and outcome.fault == "PyTorch"
    assert "rank 1, action F(1, 2)" in outcome.detail


def test_smallest_disagreement_is_kept():
    found = smallest_disagreements(survey(["1F1B"], [2, 3], [1, 2]))
    assert [(o.ranks, o.micro) for o in found] == [(2, 2)]


def test_external_command_writes_its_findings(tmp_path, capsys):
    from pipeproof.checks.cli.main import main

    code = main(["external", "torch", "--stages", "2", "3", "--microbatches", "6",
                 "--schedules", "GPipe", "1F1B", "--out", str(tmp_path)])
    assert code == 1
    text = (tmp_path / "external-torch.md").read_text(encoding="utf-8")
    assert "**1F1B**, S = 2, M = 6: invalid, fault: PyTorch" in text
    assert "| GPipe | 2 | 0 | 0 | 0 | 0 |" in text
    assert (tmp_path / "external-torch.json").exists()
    assert "1F1B" in capsys.readouterr().out


@pytest.mark.parametrize(("ranks", "micro"), [(2, 2), (4, 8), (5, 20)])
def test_1f1b_cause_the_last_rank_counts_its_forwards_from_one(ranks, micro):
    from pipeproof.checks.external_torch import CAUSES, torch_orders

    last = torch_orders("1F1B", ranks, micro)[ranks - 1]
    forwards = [mb for stage, op, mb in last if op == "F"]
    assert forwards == list(range(1, micro + 1))
    assert "never F(S - 1, 0)" in CAUSES["1F1B"]
    for rank in range(ranks - 1):  # the other ranks list every forward once
        order = torch_orders("1F1B", ranks, micro)[rank]
        assert sorted(mb for stage, op, mb in order if op == "F") == list(range(micro))
