"""The findings part of ``pipeproof report``: the claims of the experiments and PyTorch's
schedules, read from the files of ``pipeproof experiment`` and ``pipeproof external torch``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeproof.checks.cli.main import main
from pipeproof.checks.document.findings import claims_table, external_tables
from pipeproof.checks.experiments.claims import Claim
from pipeproof.checks.outputs import write_json

SAMPLE = Path(__file__).parent / "data" / "verdicts_sample.json"
CLAIMS = (Claim("PipeDream better than LocalSGD on the quadratic", "pd-vs-localsgd-quadratic",
                "LocalSGD/PD above 1", True, "paired ratio 3.42 [3.2, 3.65]"),
          Claim("LocalSGD better on logistic regression", "pd-vs-localsgd-logistic",
                "PD/LocalSGD above 1", False, "paired ratio 0.61 [0.55, 0.68]",
                "the other method is better"))
EXTERNAL = {"system": "torch", "version": "2.13.0+cpu",
            "outcomes": [{"schedule": "GPipe", "S": 2, "M": 2, "status": "agrees"},
                         {"schedule": "1F1B", "S": 2, "M": 2, "status": "invalid"},
                         {"schedule": "1F1B", "S": 3, "M": 3, "status": "invalid"}],
            "smallest_disagreements": [{"schedule": "1F1B", "S": 2, "M": 2, "status": "invalid",
                                        "fault": "PyTorch", "detail": "F(1, 2)"}]}


def _experiment_folder(root: Path, whole_run: bool) -> Path:
    folder = root / "experiments"
    records = [claim.to_json() for claim in CLAIMS]
    if whole_run:
        write_json({"quick": False, "wall_seconds": 612.0, "claims": records},
                   folder / "claims.json")
    else:
        for claim, record in zip(CLAIMS, records, strict=True):
            write_json({"experiment": claim.experiment, "quick": True, "wall_seconds": 3.0,
                        "claims": [record]}, folder / claim.experiment / "claims.json")
    return folder


@pytest.mark.parametrize("whole_run", [True, False])
def test_claims_are_read_from_the_whole_run_or_each_experiment(tmp_path: Path,
                                                              whole_run: bool) -> None:
    table = claims_table(_experiment_folder(tmp_path, whole_run))
    assert [row[3] for row in table.rows] == ["reproduced", "not reproduced"]
    assert table.rows[1][5] == "the other method is better"
    assert "1 of 2 claims reproduced" in table.intro
    assert ("full run" if whole_run else "quick run") in table.intro


def test_report_shows_claims_and_torch_findings(tmp_path: Path) -> None:
    external = tmp_path / "external" / "external-torch.json"
    write_json(EXTERNAL, external)
    out = tmp_path / "out"
    assert main(["report", "--json", str(SAMPLE), "--out", str(out), "--experiments",
                 str(_experiment_folder(tmp_path, True)), "--external", str(external)]) == 0
    page = (out / "report.html").read_text("utf-8")
    markdown = (out / "report.md").read_text("utf-8")
    assert '<td class="not-reproduced">not reproduced</td>' in page
    assert "LocalSGD better on logistic regression" in page
    assert "| 1F1B | 0 | 0 | 0 | 2 | 0 |" in markdown
    assert "never F(S - 1, 0)" in markdown  # the cause, read in PyTorch's source
    assert markdown.index("## Findings") < markdown.index("## Theorems")


def test_missing_findings_name_the_command_that_makes_them(tmp_path: Path) -> None:
    [claims] = [claims_table(tmp_path / "none")]
    [torch_table] = external_tables(tmp_path / "none.json")
    assert claims.rows == () and "pipeproof experiment all --out" in claims.intro
    assert torch_table.rows == () and "pipeproof external torch --out" in torch_table.intro


def test_other_torch_version_gets_no_cause(tmp_path: Path) -> None:
    path = tmp_path / "external-torch.json"
    path.write_text(json.dumps({**EXTERNAL, "version": "2.14.0"}), encoding="utf-8")
    assert external_tables(path)[1].rows[0][-1] == "-"


@pytest.mark.parametrize(("option", "text"), [("--experiments", '{"claims": 3}'),
                                              ("--external", "[1, 2]"),
                                              ("--external", "not json")])
def test_bad_findings_files_are_refused_before_writing(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture,
                                                       option: str, text: str) -> None:
    target = tmp_path / ("claims.json" if option == "--experiments" else "external.json")
    target.write_text(text, encoding="utf-8")
    argument = str(tmp_path if option == "--experiments" else target)
    out = tmp_path / "out"
    assert main(["report", "--json", str(SAMPLE), "--out", str(out), option, argument]) == 2
    assert option in capsys.readouterr().err
    assert not (out / "report.html").exists()


def test_recorded_full_run_and_torch_survey_are_readable() -> None:
    results = Path(__file__).parent.parent / "benchmarks" / "results"
    claims = claims_table(results / "experiments")
    assert "full run" in claims.intro and len(claims.rows) >= 12
    assert {row[3] for row in claims.rows} <= {"reproduced", "not reproduced"}
    assert all(row[5] for row in claims.rows if row[3] == "not reproduced")  # a finding each
    counts, faults = external_tables(results / "external" / "external-torch.json")
    assert ("GPipe", "28", "0", "0", "0", "0") in counts.rows
    assert [row[0] for row in faults.rows] == ["1F1B"]
