"""A certificate folder and its SHA-256 sums.

Layout of ``DIR`` (every path relative to it)::

    manifest.json        every verdict, solver versions, budgets, package version, commit
    smt/oNN-CASE.smt2     goal queries (expected unsat), smt/oNN-CASE.hyp.smt2 (expected sat),
                          smt/oNN-cases.split.smt2 (the split's cases are complete: unsat)
    sympy_steps.py       the SymPy steps, re-played with SymPy alone
    README.txt           how to re-check it without pipeproof
    SHA256SUMS           ``sha256sum`` lines of every file above, sorted by path
    CERTIFICATE.sha256   the SHA-256 of SHA256SUMS: the one hash to cite

A file changed after sealing no longer matches SHA256SUMS; a resealed folder has another
certificate hash than the one cited.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipeproof.checks.outputs import write_atomically

SUMS = "SHA256SUMS"
DIGEST = "CERTIFICATE.sha256"
MANIFEST = "manifest.json"
SEALS = (SUMS, DIGEST)
"""The files that seal the others (not listed in SHA256SUMS)."""


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sums_text(files: dict[str, bytes]) -> str:
    """``sha256sum`` lines (hash, two spaces, path) of ``files``, sorted by path."""
    return "".join(f"{sha256(data)}  {path}\n" for path, data in sorted(files.items()))


def seal(files: dict[str, bytes]) -> tuple[str, str]:
    """(SHA256SUMS text, certificate hash) of ``files``."""
    text = sums_text(files)
    return text, sha256(text.encode())


def write_folder(folder: Path, files: dict[str, bytes]) -> str:
    """Write ``files`` (relative path -> bytes) and their seal into ``folder``; return the
    certificate hash. Each file is written atomically; files of an older certificate in
    ``smt/`` are removed first, so the folder holds exactly one certificate."""
    smt = folder / "smt"
    if smt.is_dir():
        for old in smt.glob("*.smt2"):
            old.unlink()
    text, digest = seal(files)
    everything = {**files, SUMS: text.encode(), DIGEST: f"{digest}\n".encode()}
    for path, data in sorted(everything.items()):
        write_atomically(folder / path, lambda temporary, data=data: temporary.write_bytes(data))
    return digest


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` except the seals (relative POSIX path -> bytes)."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            if relative not in SEALS:
                found[relative] = path.read_bytes()
    return found


README = """This folder is a pipeproof certificate of {theorem_id}. It re-checks without pipeproof:

  sha256sum -c SHA256SUMS            every file is as sealed
  sha256sum SHA256SUMS               equals CERTIFICATE.sha256 and the hash cited
  for f in smt/*.smt2; do z3 $f; done               each file answers as its header says
  for f in smt/*.smt2; do cvc5 --force-logic=ALL $f; done   (unknown is not an answer)
  python sympy_steps.py              every SymPy step holds (needs only SymPy)

Goal files (smt/oNN-CASE.smt2) hold the hypotheses and the negated goal of one case of one
obligation and must be unsat; hypotheses files (.hyp.smt2) the hypotheses alone and must be
sat, so no proof is vacuous; split files (.split.smt2) ask for a point of a case split's domain
in no case or in two and must be unsat. manifest.json lists every verdict and each solver's answer.
Or: pipeproof verify-certificate DIR [--sha256 HASH].
"""
