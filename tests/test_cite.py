"""pipeproof cite and verify-certificate: the README's worked example, LaTeX and BibTeX, and
hand-edited certificates (one byte of an SMT file, of the manifest, a flipped goal, a false
SymPy step, an extra file), each of which must fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeproof.checks.certificates import folder
from pipeproof.checks.certificates.citation import PAPER_KEY, bibtex, source_keys
from pipeproof.checks.certificates.verify import verify
from pipeproof.checks.cli.main import main
from pipeproof.theory.catalogue import by_id

ROOT = Path(__file__).resolve().parents[1]
QUICK = "--profile quick --cvc5-seconds 1"


def readme_example() -> list[str]:
    """The commands of the README's worked example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How to cite a verified bound", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.+?)\n```", section, flags=re.DOTALL)
    assert len(block) == 1
    return block[0].splitlines()


def run_example(where: Path, extra: str) -> list[subprocess.CompletedProcess]:
    """Run the example's commands with bash in ``where``, ``extra`` added to ``cite``."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    done = []
    for command in readme_example():
        if extra:
            command = command.replace("pipeproof cite STL-PD-MAX",
                                      f"pipeproof cite STL-PD-MAX {extra}")
        done.append(subprocess.run(["bash", "-c", command], cwd=where, env=env,
                                   capture_output=True, text=True, timeout=600))
    return done


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, list[subprocess.CompletedProcess]]:
    """The README example run once (quick profile, cvc5 1 s per file)."""
    where = tmp_path_factory.mktemp("cite")
    return where, run_example(where, QUICK)


@pytest.fixture
def certificate(example, tmp_path) -> Path:
    """A fresh copy of the example's certificate folder."""
    where, _ = example
    copy = tmp_path / "certificate"
    shutil.copytree(where / "cite-stl-pd-max" / "certificate", copy)
    return copy


def test_readme_example_certifies_and_verifies(example):
    where, (cite, check) = example
    assert cite.returncode == 0, cite.stderr
    assert "\\begin{theorem}" in cite.stdout and "\\end{theorem}" in cite.stdout
    digest = (where / "cite-stl-pd-max" / "certificate" / folder.DIGEST).read_text().strip()
    assert f"SHA-256 {digest}; status proved; 46 SMT files" in cite.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().splitlines()[-1].startswith(f"certificate VALID: SHA-256 {digest}")
    for suffix in (".tex", ".bib", ".json"):
        assert digest in (where / "cite-stl-pd-max" / f"STL-PD-MAX{suffix}").read_text()


def test_manifest_records_verdicts_solvers_and_provenance(certificate):
    manifest = json.loads((certificate / folder.MANIFEST).read_text())
    assert manifest["theorem"]["id"] == "STL-PD-MAX"
    assert manifest["theorem"]["status"] == "proved"
    assert manifest["versions"]["z3"].startswith("z3 ")
    assert manifest["versions"]["cvc5"].startswith("cvc5 ")
    assert manifest["budgets"]["z3_rlimit"] > 0 and manifest["budgets"]["cvc5_seconds"] == 1
    assert manifest["package"]["version"] and "commit" in manifest
    assert manifest["problems"] == []
    obligations = manifest["obligations"]
    assert all("z3" in ob["proved_by"] for ob in obligations)
    assert any(ob["proved_by"] == ["sympy", "z3", "cvc5"] for ob in obligations)
    for ob in obligations:
        answers = [entry["answers"]["cvc5"]["result"] for entry in ob["smt"]["files"]
                   if entry["role"] in ("goal", "split")]
        assert ("cvc5" in ob["proved_by"]) == all(result == "unsat" for result in answers)
    files = sorted(path.relative_to(certificate).as_posix()
                   for path in certificate.rglob("*.smt2"))
    listed = sorted(entry["path"] for ob in obligations for entry in ob["smt"]["files"])
    assert files == listed and len(files) == 46


def test_cited_hash_must_match(certificate):
    wrong = verify(certificate, "0" * 64, use_cvc5=False)
    assert not wrong.ok and "is not the cited" in wrong.problems[0]


def _edit_byte(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def _reseal(where: Path) -> str:
    return folder.write_folder(where, folder.read_folder(where))


def _goal_file(where: Path) -> Path:
    return sorted(path for path in (where / "smt").glob("*.smt2")
                  if not path.name.endswith(".hyp.smt2"))[0]


def test_one_byte_of_an_smt_file_changed_fails(certificate, capsys):
    _edit_byte(_goal_file(certificate), b"(check-sat)", b"(check-sat) ")
    assert main(["verify-certificate", str(certificate), "--cvc5-seconds", "1"]) == 1
    out = capsys.readouterr().out
    assert "SHA-256 differs" in out and "certificate INVALID" in out


def test_one_byte_of_the_manifest_changed_fails(certificate):
    _edit_byte(certificate / folder.MANIFEST, b'"proved"', b'"proven"')
    found = verify(certificate, use_cvc5=False)
    assert not found.ok and any("manifest.json: SHA-256 differs" in p for p in found.problems)


def test_a_flipped_goal_fails_even_when_resealed(certificate):
    cited = (certificate / folder.DIGEST).read_text().strip()
    goal = _goal_file(certificate)
    _edit_byte(goal, b"(not ", b"(and true ")
    resealed = _reseal(certificate)
    assert resealed != cited
    found = verify(certificate, use_cvc5=False)
    assert not found.ok
    assert any(f"{goal.relative_to(certificate).as_posix()}: z3 answers sat" in p
               for p in found.problems)
    assert not verify(certificate, cited, use_cvc5=False).ok


def test_a_goal_file_relabelled_sat_fails(certificate):
    goal = _goal_file(certificate)
    _edit_byte(goal, b"; expected answer: unsat", b"; expected answer: sat")
    _reseal(certificate)
    found = verify(certificate, use_cvc5=False)
    assert any("a goal file must expect unsat" in p for p in found.problems)


def test_a_false_sympy_step_fails_even_when_resealed(certificate):
    script = certificate / "sympy_steps.py"
    text = script.read_text()
    assert "Equality(" in text
    script.write_text(text.replace("Equality(", "Unequality(", 1))
    _reseal(certificate)
    found = verify(certificate, use_cvc5=False)
    assert any("sympy_steps.py: exits with 1" in p for p in found.problems)


def test_a_case_dropped_from_manifest_and_files_fails(certificate):
    manifest = json.loads((certificate / folder.MANIFEST).read_text())
    obligation = next(ob for ob in manifest["obligations"] if "S even" in ob["smt"]["cases"])
    dropped = [entry for entry in obligation["smt"]["files"] if entry["case"] == "S even"]
    assert len(dropped) == 2
    for entry in dropped:
        obligation["smt"]["files"].remove(entry)
        (certificate / entry["path"]).unlink()
    (certificate / folder.MANIFEST).write_text(json.dumps(manifest))
    _reseal(certificate)
    found = verify(certificate, use_cvc5=False)
    assert any("is listed as proved by z3 but this file of it is missing" in p
               for p in found.problems)


def test_a_dropped_smt_file_or_an_extra_file_fails(certificate):
    _goal_file(certificate).unlink()
    (certificate / "notes.txt").write_text("extra")
    found = verify(certificate, use_cvc5=False)
    assert any("listed in SHA256SUMS but missing" in p for p in found.problems)
    assert not found.lines  # a broken seal: no file is re-run
    assert any("notes.txt: not listed" in p for p in found.problems)
    _reseal(certificate)
    found = verify(certificate, use_cvc5=False)
    assert any("in the manifest but missing" in p for p in found.problems)


def test_an_unsealed_folder_is_not_a_certificate(tmp_path, capsys):
    assert main(["verify-certificate", str(tmp_path)]) == 1
    assert "not a sealed certificate" in capsys.readouterr().out
    assert main(["verify-certificate", str(tmp_path / "missing")]) == 2


def test_cite_prints_latex_bibtex_json_without_checking(capsys):
    assert main(["cite", "STL-PD-MAX"]) == 0
    latex = capsys.readouterr().out
    assert latex.count("\\begin{theorem}") == 1 and "\\item S >= 1 stages" in latex
    assert f"\\cite{{{PAPER_KEY},pipeproof}}" in latex
    assert main(["cite", "stl-pd-max", "--format", "bibtex"]) == 0
    bib = capsys.readouterr().out
    assert "@misc{ilin2026demystifying" in bib and "eprint        = {2606.03498}" in bib
    assert "@software{pipeproof" in bib
    assert main(["cite", "STL-PD-MAX", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == "STL-PD-MAX" and record["bibtex_keys"] == [PAPER_KEY, "pipeproof"]


def test_sources_map_to_their_bibtex():
    assert source_keys(by_id("THR-GPIPE")) == ["ilin2026demystifying", "huang2019gpipe",
                                               "pipeproof"]
    assert source_keys(by_id("THR-PD-CLOSED")) == ["pipeproof"]
    assert source_keys(by_id("STL-2BW")) == ["narayanan2021memory", "pipeproof"]
    text = bibtex(by_id("STL-PD-LAG"), "0.1.0", "abc", "f" * 64)
    assert "harlap2018pipedream" in text and "certificate SHA-256 " + "f" * 64 in text


def test_cite_rejects_bad_input_before_work(tmp_path, capsys):
    assert main(["cite", "NO-SUCH-ID"]) == 2
    assert "unknown theorem id 'NO-SUCH-ID'" in capsys.readouterr().err
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert main(["cite", "STL-PD-MAX", "--out", str(file)]) == 2
    assert "--out must be a folder path" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["cite", "STL-PD-MAX", "--cvc5-seconds", "0"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["verify-certificate", "x", "--profile", "quick"])


def test_citation_cff_names_pipeproof_and_the_paper():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert text.startswith("cff-version: 1.2.0")
    assert 'title: "pipeproof' in text and "arXiv:2606.03498" in text


@pytest.mark.slow
def test_readme_example_as_written(tmp_path):
    cite, check = run_example(tmp_path, "")
    assert cite.returncode == 0, cite.stderr
    assert check.returncode == 0, check.stdout
