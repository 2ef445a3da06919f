"""The command line as a process: closed pipes, Ctrl-C, what it imports, and what ``schedule``
prints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeproof.checks.executor.config import run_config

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "pipeproof.checks"]


def _popen(*args: str, cwd: Path = ROOT, **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen([*COMMAND, *args], cwd=cwd, stderr=subprocess.PIPE, text=True,
                            **kwargs)


@pytest.mark.parametrize("args", [
    ("list",),
    ("schedule", "pipedream", "--stages", "64", "--microbatches", "640"),
    ("run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--dim", "4",
     "--step-size", "0.1"),
    ("show", "THR-GPIPE", "--profile", "quick"),
    ("--help",),
])
def test_a_closed_pipe_ends_quietly(args: tuple[str, ...]) -> None:
    process = _popen(*args, stdout=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line is written
    _, err = process.communicate(timeout=300)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert process.returncode in (0, 141)


def test_a_closed_pipe_keeps_the_report(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    process = _popen("run", "--profile", "quick", "--only", "THR-GPIPE", "--json", str(path),
                     stdout=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=300)
    assert process.returncode == 141 and "Traceback" not in err
    assert json.loads(path.read_text())["theorems"][0]["id"] == "THR-GPIPE"


def test_ctrl_c_prints_one_line_exits_130_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "v.json"
    # Ctrl-C as a terminal delivers it: SIGINT at its default (a shell's background job, e.g.
    # under nohup, starts with SIGINT ignored, and pipeproof then keeps ignoring it)
    process = _popen("run", "--profile", "quick", "--json", str(path), "--workers", "2",
                     stdout=subprocess.DEVNULL, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = process.stderr.readline()  # the first progress line: workers are busy
    assert "checked" in first or "counted work" in first, first
    os.killpg(process.pid, signal.SIGINT)
    rest = process.stderr.read()
    process.wait(timeout=120)
    assert process.returncode == 130, rest
    assert rest.strip().splitlines()[-1] == "pipeproof: interrupted"
    assert "Traceback" not in rest and "Error" not in rest, rest
    assert not path.exists() and not list(tmp_path.rglob("*.json"))


@pytest.mark.parametrize("argv", [
    ["schedule", "pipedream", "--stages", "16", "--microbatches", "160"],
    ["run-method", "pipedream", "--objective", "quadratic", "--stages", "4", "--dim", "16",
     "--step-size", "0.01"],
])
def test_schedule_and_run_method_import_neither_sympy_nor_z3(argv: list[str]) -> None:
    script = ("import sys; from pipeproof.checks.cli.main import main; code = main(sys.argv[1:]); "
              "loaded = [name for name in ('sympy', 'z3') if name in sys.modules]; "
              "print('LOADED', loaded); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", script, *argv], cwd=ROOT, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def test_schedule_loads_no_training_code() -> None:
    """The parser lists the method and objective names without importing their modules."""
    script = ("import sys; from pipeproof.checks.cli.main import main; "
              "code = main(['schedule', 'gpipe', '--stages', '4', '--microbatches', '8']); "
              "prefixes = ('pipeproof.checks.executor.methods.', "
              "'pipeproof.checks.executor.objectives.'); "
              "print('LOADED', sorted(name for name in sys.modules if name.startswith(prefixes) "
              "and not name.endswith('.registry'))); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def _schedule(*args: str) -> dict:
    result = subprocess.run([*COMMAND, "schedule", *args, "--json"], cwd=ROOT, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_schedule_prints_the_staleness_the_theorems_bound() -> None:
    gpipe = _schedule("gpipe", "--stages", "4", "--microbatches", "12")
    assert gpipe["staleness"]["version_lag_max"] == 0  # STL-SYNC
    assert gpipe["staleness"]["other_step_delay_max"] == 0
    assert gpipe["delay"]["steady_max"] == 3  # counted in block updates, own step included
    pipedream = _schedule("pipedream", "--stages", "8", "--microbatches", "80")
    assert pipedream["staleness"]["version_lag_max"] == 7  # S - 1 on stage 0


def test_localsgd_defaults_agree_with_run_method() -> None:
    summary = _schedule("localsgd", "--stages", "4", "--microbatches", "40")
    config = run_config("localsgd", "quadratic", 4, 40, 0.1)
    assert (summary["num_runs"], summary["local_steps"]) == (config.num_runs,
                                                              config.local_steps) == (4, 5)
