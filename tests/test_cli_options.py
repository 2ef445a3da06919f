"""The command line honours or refuses every option, checks output paths before any work, and
writes strict JSON atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeproof.checks import outputs
from pipeproof.checks.cli import run_method as run_method_command
from pipeproof.checks.cli.main import main, max_workers
from pipeproof.checks.executor.config import run_config
from pipeproof.checks.listing import NOT_RUN


def call(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def strict_load(path: Path) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to start checking or training fails the test."""
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the arguments were checked")
    monkeypatch.setattr("pipeproof.checks.runner.run_checks", forbidden)
    monkeypatch.setattr("pipeproof.checks.executor.run.run_method", forbidden)


def test_options_before_run_are_honoured(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    code, out, err = call(capsys, "--profile", "quick", "--json", str(path), "run", "--only",
                          "THR-GPIPE", "THR-GPIPE")
    assert code == 0, err
    document = strict_load(path)
    assert document["profile"] == "quick" and "profile quick" in out
    assert [entry["id"] for entry in document["theorems"]] == ["THR-GPIPE"]
    assert "more than once" in err and "[1/1] THR-GPIPE checked" in err
    header = out.splitlines()[0].split()
    assert header[:3] == ["id", "claim", "expected"]
    assert out.rstrip().splitlines()[-1] == "ALL AS EXPECTED: 1 of 1 theorems"


@pytest.mark.parametrize("argv", [
    ["--json", "v.json", "schedule", "gpipe", "--stages", "2", "--microbatches", "4"],
    ["--profile", "quick", "list"],
    ["--plots", "figures", "schedule", "gpipe", "--stages", "2", "--microbatches", "4"],
    ["--workers", "2", "show", "THR-GPIPE"],
    ["--json", "v.json", "run-method", "sgd", "--objective", "quadratic", "--stages", "2"],
])
def test_options_a_subcommand_does_not_take_are_refused(
        capsys: pytest.CaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_work: None, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = call(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{argv[0]} does not apply to" in err
    assert list(tmp_path.iterdir()) == []


def _folder_and_file(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    return str(tmp_path / "folder"), str(tmp_path / "file.txt")


@pytest.mark.parametrize(("argv", "expected"), [
    (["run", "--json", "{folder}"], "--json must be a file path ending in .json, got the folder"),
    (["run", "--json", ""], "--json must be a file path ending in .json, got an empty path"),
    (["run", "--json", "{base}/x.txt"], "--json must be a file path ending in .json"),
    (["run", "--json", "{file}/sub/v.json"], "is not a folder"),
    (["run", "--json", "/proc/pipeproof/v.json"], "--json: cannot write in /proc"),
    (["run", "--plots", "{file}"], "--plots must be a folder path, got the file"),
    (["run", "--workers", "100000"], "--workers must be an integer in 1..{workers} (at most"),
    (["run", "--only", "NO-SUCH-ID"], "unknown theorem id 'NO-SUCH-ID'"),
    (["--only", "THR-GPIPE", "run"], "read the subcommand 'run' as one"),
    (["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--out", "{base}/x.csv"],
     "--out must be a file path ending in .json or .npz, got"),
    (["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--out", "{folder}"],
     "--out must be a file path ending in .json or .npz, got the folder"),
    (["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--plot", "{base}/x.txt"],
     "--plot must be a file path ending in .png or .pdf or .svg"),
    (["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--plot", "{folder}"],
     "--plot must be a file path ending in .png or .pdf or .svg, got the folder"),
])
def test_output_paths_are_checked_before_any_work(
        capsys: pytest.CaptureFixture, tmp_path: Path, no_work: None, argv: list[str],
        expected: str) -> None:
    folder, file = _folder_and_file(tmp_path)
    argv = [arg.format(folder=folder, file=file, base=tmp_path) for arg in argv]
    expected = expected.format(workers=max_workers())
    before = sorted(tmp_path.rglob("*"))
    code, out, err = call(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, no folder.png beside it


@pytest.mark.parametrize("argv", [
    ["run", "--plots", "{base}/figures"],
    ["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--plot", "{base}/f.png"],
])
def test_figures_without_matplotlib_are_refused_up_front(
        capsys: pytest.CaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_work: None, argv: list[str]) -> None:
    real = outputs.importlib.util.find_spec
    monkeypatch.setattr(outputs.importlib.util, "find_spec",
                        lambda name, *rest: None if name == "matplotlib" else real(name, *rest))
    code, _, err = call(capsys, *[arg.format(base=tmp_path) for arg in argv])
    assert code == 2 and "needs matplotlib" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_record_is_written_before_the_figure(capsys: pytest.CaptureFixture, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")

    def broken_plot(record: object, path: Path) -> None:
        raise RuntimeError("drawing failed")
    monkeypatch.setattr("pipeproof.checks.executor.plot.plot_run", broken_plot)
    out = tmp_path / "run.json"
    with pytest.raises(RuntimeError, match="drawing failed"):
        main(["run-method", "sgd", "--objective", "quadratic", "--stages", "2", "--dim", "4",
              "--step-size", "0.1", "--out", str(out), "--plot", str(tmp_path / "run.png")])
    assert strict_load(out)["method"] == "sgd"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run.json"]


def test_atomic_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old")

    def half_write(temporary: Path) -> None:
        temporary.write_text("partial")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        outputs.write_atomically(path, half_write)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.json"]
    outputs.write_json({"x": float("nan"), "y": [1.0, float("inf")], "z": (2,)}, path)
    assert strict_load(path) == {"x": None, "y": [1.0, None], "z": [2]}


def test_a_diverged_run_writes_strict_json(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    code, text, _ = call(capsys, "run-method", "pipedream", "--objective", "quadratic",
                         "--stages", "4", "--dim", "16", "--step-size", "1e300", "--out", str(out))
    assert code == 0 and "diverged" in text
    document = strict_load(out)
    assert document["diverged"] is True and document["final_gap"] is None
    assert document["mean_stale_distance"] is None


@pytest.mark.parametrize(("argv", "expected"), [
    (["--step-size", "inf"], "--step-size: must be a finite number > 0 or auto, got 'inf'"),
    (["--step-size", "nan"], "--step-size: must be a finite number > 0 or auto, got 'nan'"),
    (["--noise", "inf"], "--noise: must be a finite number"),
    (["--dim", "1", "--stages", "4"], "--stages must be an integer in 1..1 for quadratic"),
    (["--batch-size", "100000"], "--batch-size must be an integer in 1..1024"),
    (["--samples", "8", "--batch-size", "9"], "--batch-size must be an integer in 1..8"),
])
def test_run_method_refuses_what_a_user_would_not_mean(
        capsys: pytest.CaptureFixture, no_work: None, argv: list[str], expected: str) -> None:
    base = ["run-method", "pipedream", "--objective", "quadratic", "--stages", "2"]
    code, _, err = call(capsys, *base, *argv)
    assert code == 2 and err.count("\n") == 1 and expected in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["rpd", "--stages", "4", "--max-delay", "1e12"], "--max-delay must be an integer in 0.."),
    (["rpd", "--stages", "100000", "--microbatches", "1e7"], "--stages must be an integer in"),
    (["pipedream", "--stages", "100000", "--microbatches", "1e7", "--dim", "100000"],
     "--microbatches must be an integer in 1.."),
    (["sgd", "--stages", "100", "--microbatches", "1e9"], "--microbatches must be at most"),
    (["rpd", "--stages", "4", "--updates", "1e12"], "--updates must be at most"),
    (["gpipe", "--stages", "64", "--microbatches", "64e6", "--dim", "64"],
     "--microbatches must be"),
])
def test_unbounded_work_is_refused_up_front(capsys: pytest.CaptureFixture, no_work: None,
                                            argv: list[str], expected: str) -> None:
    code, _, err = call(capsys, "run-method", *argv[:1], "--objective", "quadratic", *argv[1:])
    assert code == 2 and err.count("\n") == 1 and expected in err and "got" in err


def test_memory_limits_name_the_largest_value_accepted() -> None:
    from pipeproof.checks.executor import limits
    from pipeproof.checks.executor.config import run_config
    from pipeproof.theory.parameters import ParameterError

    budget = 1 << 20
    config = run_config("rpd", "quadratic", 4, 40, 0.1, max_delay=10**9, dim=64)
    with pytest.raises(ParameterError, match=r"max_delay must be an integer in 0\.\.") as error:
        limits.check_memory(config, budget)
    largest = int(str(error.value).split("0..")[1].split()[0])
    limits.check_memory(run_config("rpd", "quadratic", 4, 40, 0.1, max_delay=largest, dim=64),
                        budget)
    with pytest.raises(ParameterError):
        limits.check_memory(run_config("rpd", "quadratic", 4, 40, 0.1, max_delay=largest + 1,
                                       dim=64), budget)


def test_time_limit_names_the_updates() -> None:
    from pipeproof.checks.executor import limits
    from pipeproof.checks.executor.config import run_config
    from pipeproof.theory.parameters import ParameterError

    config = run_config("rpd", "quadratic", 4, 40, 0.1, num_block_updates=10**6, dim=64)
    limits.check_time(config, limit=limits.estimated_seconds(config) * 1.01)
    with pytest.raises(ParameterError, match="num_block_updates must be at most"):
        limits.check_time(config, limit=limits.estimated_seconds(config) / 2)


def test_transformer_reports_both_problems_at_once(capsys: pytest.CaptureFixture,
                                                   no_work: None) -> None:
    code, _, err = call(capsys, "run-method", "pipedream", "--objective", "transformer",
                        "--stages", "2")
    assert code == 2 and err.count("\n") == 1
    assert "--stages must be an integer >= 3 for transformer" in err
    assert "needs --backend torch" in err


def test_auto_step_size_warns_at_the_edge_of_its_grid() -> None:
    choice = {"exponent": -1, "exponents": list(range(-1, 11))}
    assert "largest step" in run_method_command.edge_warning(choice)
    assert "smallest step" in run_method_command.edge_warning({**choice, "exponent": 10})
    assert run_method_command.edge_warning({**choice, "exponent": 4}) == ""
    assert run_method_command.edge_warning(None) == ""


def test_run_method_caps_trace_points_and_says_what_tracing_costs(
        capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    code, _, _ = call(capsys, "run-method", "sgd", "--objective", "quadratic", "--stages", "2",
                      "--microbatches", "400", "--dim", "8", "--step-size", "0.01",
                      "--out", str(out))
    assert code == 0
    document = strict_load(out)
    low, high = run_method_command.TRACE_POINTS
    assert document["parameters"]["trace_points"] == low  # K B / 3n = 800 * 10 / 3072 < 50
    assert len(document["traces"]["gap"]) <= low + 2
    config = run_config("sgd", "quadratic", 2, 10**6, 0.01, dim=8)
    assert run_method_command.default_trace_points(config) == high
    config = run_config("sgd", "quadratic", 2, 15360, 0.01, dim=8)  # K B / 3n = 100
    assert run_method_command.default_trace_points(config) == 100
    code, text, _ = call(capsys, "run-method", "--help")
    assert code == 0 and "full gradient" in " ".join(text.split())


def test_list_shows_the_last_runs_status(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    report = tmp_path / "v.json"
    code, out, _ = call(capsys, "list", "--json", str(report))
    assert code == 0 and "no report" in out.splitlines()[0]
    assert all(NOT_RUN in line for line in out.splitlines()[4:])
    report.write_text(json.dumps({"profile": "quick", "theorems": [
        {"id": "THR-GPIPE", "status": "unknown", "as_expected": False},
        {"id": "THR-FLUSH", "status": "proved", "as_expected": True}]}))
    code, out, _ = call(capsys, "--json", str(report), "list")
    lines = {line.split()[0]: line.split() for line in out.splitlines()[4:]}
    assert out.splitlines()[2].split()[:3] == ["id", "expected", "last"]
    assert lines["THR-GPIPE"][1:4] == ["proved", "unknown", "!"]
    assert lines["THR-FLUSH"][1:3] == ["proved", "proved"]
    assert lines["THR-PD"][2:4] == ["not", "run"]


def _subparsers(parser: object) -> dict:
    import argparse
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_readme_commands_name_only_options_the_program_has() -> None:
    import re

    from pipeproof.checks.cli.main import build_parser
    from pipeproof.checks.cli.schedule import LOCALSGD_LOCAL_STEPS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Commands", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    parser = build_parser()
    commands = _subparsers(parser)
    usages = re.split(r"^pipeproof ", block, flags=re.M)[1:]
    assert len(usages) == 8
    for usage in usages:
        name = usage.split()[0]
        known = commands.get(name, parser)._option_string_actions
        missing = [flag for flag in re.findall(r"--[a-z-]+", usage) if flag not in known]
        assert not missing, (name, missing)
    assert f"H = {LOCALSGD_LOCAL_STEPS} local steps" in readme
    assert "clamped to {}..{}".format(*run_method_command.TRACE_POINTS) in readme


def test_eta_comes_from_counted_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from pipeproof.checks import progress
    from pipeproof.checks.profiles import PROFILES
    from pipeproof.checks.tasks import EmpiricalTask, ProofTask, SoundnessTask

    tasks = [EmpiricalTask("A", PROFILES["quick"], None), SoundnessTask("A", "coverage", 1),
             ProofTask("B", None, "smt", 1), ProofTask("B", None, "symbolic", 1)]
    assert progress.task_weights(tasks, {}) == [20.0, 1.0, 1.0, 1.0]
    assert progress.task_weights(tasks, {"A": 30.0, "B": 2.0}) == [15.0, 15.0, 1.0, 1.0]
    now = [0.0]
    monkeypatch.setattr(progress.time, "perf_counter", lambda: now[0])
    stream = io.StringIO()
    hook = progress.RunProgress(stream=stream, seconds={"A": 30.0, "B": 2.0}, terminal=False)
    hook(tasks, None)
    now[0] = 15.0
    hook(tasks, 0)  # 15 of 32 units of work in 15 s: 17 s left, whatever the task count
    assert hook.eta() == pytest.approx(17.0)
    hook(tasks, 2)  # tasks may finish out of order
    hook(tasks, 1)
    assert "[1/2] A checked" in stream.getvalue()
    hook.close()


def test_a_broken_pipe_elsewhere_is_not_hidden() -> None:
    from pipeproof.checks.terminal import run_quietly

    def pool_pipe_breaks() -> int:
        raise BrokenPipeError("a worker's pipe")
    with pytest.raises(BrokenPipeError, match="worker"):
        run_quietly(pool_pipe_breaks)
    assert run_quietly(lambda: 7) == 7
