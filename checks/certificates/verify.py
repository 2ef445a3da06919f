"""Re-check a certificate folder from its files alone.

1. The seal: SHA256SUMS lists exactly the files present, each with its SHA-256; the SHA-256 of
   SHA256SUMS is CERTIFICATE.sha256 (and the hash the user cites, when given).
2. The manifest is a pipeproof certificate and lists exactly the SMT files present, each with the
   expected answer its header states (unsat for goal and split files, sat for hypotheses files),
   and every obligation that lists z3 in ``proved_by`` has a goal and a hypotheses file for each
   case it names and, with a split, a split file.
3. Z3 reads every SMT file under the rlimit the manifest lists for it and must give the expected
   answer; cvc5, when installed, must not give the other definite answer (its unknown is
   reported).
4. ``sympy_steps.py`` runs with plain Python and exits with 0.

Any failure makes the certificate invalid; each is reported with the file it concerns. A broken
seal ends the check: the files are not the ones sealed, so re-running them proves nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeproof.checks.certificates import folder
from pipeproof.checks.certificates.certify import FORMAT, run_script
from pipeproof.checks.certificates.replay import SCRIPT_NAME
from pipeproof.checks.certificates.smtlib import EXPECTED, SUFFIXES, case_slug
from pipeproof.checks.certificates.solvers import (
    CVC5_SECONDS,
    cvc5_answer,
    cvc5_available,
    z3_answer,
)

_EXPECTED_LINE = re.compile(r"^; expected answer: (sat|unsat)$", re.MULTILINE)


@dataclass
class Verification:
    """What re-checking a certificate found."""

    digest: str | None = None
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def _seal(where: Path, found: Verification, cited: str | None) -> dict[str, bytes]:
    """Check SHA256SUMS and CERTIFICATE.sha256; return the files (path -> bytes)."""
    files = folder.read_folder(where)
    sums_path, digest_path = where / folder.SUMS, where / folder.DIGEST
    if not sums_path.is_file() or not digest_path.is_file():
        found.problems.append(f"missing {folder.SUMS} or {folder.DIGEST}: not a sealed "
                              "certificate")
        return files
    sums = sums_path.read_text("utf-8")
    found.digest = folder.sha256(sums.encode())
    if digest_path.read_text("utf-8").strip() != found.digest:
        found.problems.append(f"{folder.DIGEST} is not the SHA-256 of {folder.SUMS}")
    if cited is not None and cited.strip().lower() != found.digest:
        found.problems.append(f"certificate hash {found.digest} is not the cited {cited}")
    if sums != folder.sums_text(files):
        listed = dict(reversed(line.split("  ", 1)) for line in sums.splitlines() if line)
        for path in sorted(set(listed) | set(files)):
            if path not in files:
                found.problems.append(f"{path}: listed in {folder.SUMS} but missing")
            elif path not in listed:
                found.problems.append(f"{path}: not listed in {folder.SUMS}")
            elif listed[path] != folder.sha256(files[path]):
                found.problems.append(f"{path}: SHA-256 differs from {folder.SUMS} "
                                      "(the file was changed)")
    return files


def _manifest(files: dict[str, bytes], found: Verification) -> dict | None:
    try:
        manifest = json.loads(files[folder.MANIFEST])
    except (KeyError, ValueError) as error:
        found.problems.append(f"{folder.MANIFEST}: missing or not JSON ({error})")
        return None
    if manifest.get("format") != FORMAT:
        found.problems.append(f"{folder.MANIFEST}: format is not {FORMAT}")
        return None
    return manifest


def _listed_files(manifest: dict) -> dict[str, dict]:
    return {entry["path"]: entry for obligation in manifest.get("obligations", [])
            for entry in ((obligation.get("smt") or {}).get("files") or [])}


def _smt_files(files: dict[str, bytes], manifest: dict, found: Verification,
               cvc5_seconds: float, use_cvc5: bool) -> None:
    listed = _listed_files(manifest)
    present = {path for path in files if path.endswith(".smt2")}
    for path in sorted(present ^ set(listed)):
        where = "not in the manifest" if path in present else "in the manifest but missing"
        found.problems.append(f"{path}: {where}")
    for path in sorted(present & set(listed)):
        text = files[path].decode("utf-8", errors="replace")
        role = next((role for role, suffix in SUFFIXES.items()
                     if role != "goal" and path.endswith(suffix)), "goal")
        stated = _EXPECTED_LINE.findall(text)
        expected = EXPECTED[role]
        if stated != [expected] or listed[path].get("expected") != expected:
            found.problems.append(f"{path}: a {role} file must expect {expected} (header says "
                                  f"{stated}, manifest {listed[path].get('expected')})")
            continue
        rlimit = int(listed[path].get("z3_rlimit") or manifest["budgets"]["z3_rlimit"])
        answers = [z3_answer(text, rlimit)]
        if use_cvc5 and cvc5_available():
            answers.append(cvc5_answer(text, cvc5_seconds))
        said = ", ".join(f"{a.solver} {a.result}" for a in answers)
        found.lines.append(f"{path}: expected {expected}; {said}")
        if answers[0].result != expected:
            found.problems.append(f"{path}: z3 answers {answers[0].result}, expected "
                                  f"{expected}")
        for answer in answers[1:]:
            if answer.result == "unknown":
                found.unknown.append(f"{path}: {answer.solver} unknown ({answer.reason})")
            elif answer.result != expected:
                found.problems.append(f"{path}: {answer.solver} answers {answer.result}, "
                                      f"expected {expected}")


def _complete(files: dict[str, bytes], manifest: dict, found: Verification) -> None:
    """Every obligation proved by z3 has the files of every case it names, and a split file
    when it is split."""
    for obligation in manifest.get("obligations", []):
        if "z3" not in obligation.get("proved_by", []):
            continue
        number = int(obligation["number"])
        cases = list((obligation.get("smt") or {}).get("cases") or [])
        needed = [f"smt/o{number:02d}-{case_slug(case)}{SUFFIXES[role]}"
                  for case in (cases or [""]) for role in ("goal", "hypotheses")]
        if cases:
            needed.append(f"smt/o{number:02d}-cases{SUFFIXES['split']}")
        for path in needed:
            if path not in files:
                found.problems.append(f"{path}: obligation {number} is listed as proved by z3 "
                                      "but this file of it is missing")


def verify(where: Path, cited: str | None = None, cvc5_seconds: float = CVC5_SECONDS,
           use_cvc5: bool = True) -> Verification:
    """Re-check the certificate in ``where`` (see the module docstring); ``cited`` is the
    certificate hash the user cites, if any."""
    found = Verification()
    files = _seal(where, found, cited)
    if any("cited" not in problem for problem in found.problems):
        return found  # not the sealed files: nothing in them is evidence
    manifest = _manifest(files, found)
    if manifest is None:
        return found
    if use_cvc5 and not cvc5_available():
        found.lines.append("cvc5 is not installed (pipeproof[crosscheck]): z3 alone re-reads "
                           "the SMT files")
    _smt_files(files, manifest, found, cvc5_seconds, use_cvc5)
    _complete(files, manifest, found)
    if SCRIPT_NAME not in files:
        found.problems.append(f"{SCRIPT_NAME}: missing")
    else:
        code, last = run_script(files[SCRIPT_NAME].decode("utf-8", errors="replace"))
        found.lines.append(f"{SCRIPT_NAME}: exit {code}; {last}")
        steps = int((manifest.get("sympy_script") or {}).get("steps", 0))
        if code != 0:
            found.problems.append(f"{SCRIPT_NAME}: exits with {code}: {last}")
        elif steps and last != f"all {steps} steps hold":
            found.problems.append(f"{SCRIPT_NAME}: the manifest lists {steps} steps, the "
                                  f"script says {last!r}")
    return found
