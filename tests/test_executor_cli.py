"""``pipeproof run-method``: summaries, records, figures, and one-line errors (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeproof.checks.cli.main import main
from pipeproof.checks.executor.record import SUMMARY_KEYS


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["run-method", *argv])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_writes_the_summary_keys(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    code, text, _ = run(capsys, "pipedream", "--objective", "quadratic", "--stages", "4",
                        "--microbatches", "20", "--step-size", "0.05", "--dim", "16",
                        "--seed", "3", "--out", str(out))
    assert code == 0
    assert "80 block updates" in text and "final gap" in text and "peak memory" in text
    document = json.loads(out.read_text())
    assert set(SUMMARY_KEYS) <= set(document)
    assert document["method"] == "pipedream" and document["num_block_updates"] == 80
    assert document["seed"] == 3 and document["max_delay"] == 16
    assert len(document["traces"]["gap"]) == len(document["traces"]["slot"]) > 1


def test_auto_step_size_says_which(capsys: pytest.CaptureFixture) -> None:
    code, text, _ = run(capsys, "rpd", "--objective", "logistic", "--stages", "2",
                        "--microbatches", "20", "--dim", "8", "--samples", "32")
    assert code == 0 and "step size auto: 2^" in text


@pytest.mark.parametrize("method", ["localsgd", "gpipe", "flush", "2bw", "sgd"])
def test_every_method_runs(capsys: pytest.CaptureFixture, method: str) -> None:
    code, text, _ = run(capsys, method, "--objective", "mlp", "--stages", "3", "--dim", "4",
                        "--width", "6", "--samples", "32", "--step-size", "0.1",
                        "--runs", "3", "--local-steps", "2") if method == "localsgd" else run(
        capsys, method, "--objective", "mlp", "--stages", "3", "--dim", "4", "--width", "6",
        "--samples", "32", "--step-size", "0.1")
    assert code == 0 and f"{method} on mlp" in text


def test_npz_record_and_plot(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    code, _, _ = run(capsys, "flush", "--objective", "nesterov", "--stages", "3",
                        "--dim", "12", "--step-size", "0.1", "--out", str(tmp_path / "r.npz"),
                        "--plot", str(tmp_path / "r.png"))
    assert code == 0
    assert (tmp_path / "r.npz").stat().st_size > 0
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("argv", "message"), [
    (["pipedream", "--objective", "quadratic", "--stages", "0"],
     "argument --stages: must be an integer >= 1, got '0'"),
    (["nope", "--objective", "quadratic", "--stages", "2"], "METHOD must be one of"),
    (["pipedream", "--objective", "cubic", "--stages", "2"], "--objective must be one of"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--step-size", "-1"],
     "--step-size must be a finite number in (0.0, inf), got -1.0"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--step-size", "big"],
     "must be a finite number > 0 or auto"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--max-delay", "3"],
     "--max-delay, --delays and --updates apply to rpd only"),
    (["2bw", "--objective", "quadratic", "--stages", "4", "--accumulation", "3"],
     "--accumulation must be an integer >= 4, got 3"),
    (["localsgd", "--objective", "quadratic", "--stages", "2", "--microbatches", "11"],
     "--microbatches must be a multiple of 10"),
    (["pipedream", "--objective", "transformer", "--stages", "2"],
     "--stages must be an integer >= 3"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--backend", "jax"],
     "--backend must be one of numpy, torch"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--device", "cuda"],
     "--device must be cpu"),
    (["rpd", "--objective", "quadratic", "--stages", "2", "--delays", "pipedream",
      "--max-delay", "4"], "come from the PipeDream table"),
    (["pipedream", "--objective", "quadratic", "--stages", "2", "--noise", "-0.5"],
     "--noise must be a finite number in [0.0, inf)"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys: pytest.CaptureFixture, argv: list[str],
                                                message: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "pipeproof.checks", "run-method", "sgd",
                             "--objective",
                             "quadratic", "--stages", "2", "--microbatches", "4", "--dim", "4",
                             "--step-size", "0.1"], capture_output=True, text=True, check=False,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    assert "sgd on quadratic" in result.stdout
