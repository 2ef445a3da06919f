"""The README stays in step with the project: set-up commands, CI, and the theorem table."""

from __future__ import annotations

import re
from pathlib import Path

from pipeproof.checks.verdict import Status
from pipeproof.theory.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup)


def test_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = _commands()
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/pipeproof") and commands[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_every_theorem_is_in_the_readme_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [t.id for t in catalogue() if f"| {t.id} |" not in text]
    assert not missing


def _table_status(text: str, theorem_id: str) -> str:
    row = next(line for line in text.splitlines() if line.startswith(f"| {theorem_id} |"))
    return row.split(" | ")[2]


def reached(report) -> str:
    """What a run reached for a theorem, as the README's status column writes it: the status,
    then what the finite methods reached beside it (``proved, checked, confirmed``)."""
    outcome = report.outcome
    return ", ".join(status.value for status in (outcome.status, *outcome.also))


def test_readme_status_column_is_what_a_fresh_run_reaches(quick_reports):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    wrong = {}
    for report in quick_reports:
        cell = _table_status(text, report.theorem.id)
        ran = reached(report)
        # a refuted theorem's cell also names where it fails: "refuted (odd S)"
        refuted = report.status is Status.REFUTED
        agrees = cell.startswith("refuted") if refuted else cell == ran
        if not agrees:
            wrong[report.theorem.id] = (cell, ran)
    assert not wrong, f"README says / run reaches: {wrong}"
