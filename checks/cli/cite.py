"""``pipeproof cite ID`` and ``pipeproof verify-certificate DIR``.

``cite`` prints the theorem as LaTeX (amsthm), the BibTeX of its sources and of pipeproof, or
its record as JSON; with ``--out DIR`` it first checks the theorem and writes ``DIR/ID.tex``,
``DIR/ID.bib``, ``DIR/ID.json`` and the sealed certificate ``DIR/certificate/`` (see
:mod:`pipeproof.checks.certificates`), and the LaTeX and BibTeX name the certificate's hash.
``verify-certificate`` re-checks a certificate folder; exit code 0 only when it is intact and
every file gets its expected answer.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from pipeproof.checks.profiles import PROFILES
from pipeproof.theory.parameters import ParameterError

FORMATS = ("latex", "bibtex", "json")
CERTIFICATE = "certificate"


def seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return value


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add the ``cite`` and ``verify-certificate`` subcommands."""
    from pipeproof.checks.certificates.solvers import CVC5_SECONDS

    cite = commands.add_parser(
        "cite", help="a theorem as LaTeX and BibTeX, with a certificate (--out)",
        description="Print the theorem as an amsthm statement (latex), the BibTeX of its "
                    "sources and of pipeproof (bibtex) or its record (json). With --out DIR: "
                    "check it, export every SMT query as SMT-LIB, re-check each with z3 and "
                    "cvc5, export the SymPy steps as a script, and write DIR/ID.tex, "
                    "DIR/ID.bib, DIR/ID.json and the sealed folder DIR/certificate.")
    cite.add_argument("id", metavar="ID")
    cite.add_argument("--format", choices=FORMATS, default="latex",
                      help="what to print (default: latex)")
    cite.add_argument("--out", metavar="DIR", help="write the certificate and the citation here")
    cite.add_argument("--profile", choices=sorted(PROFILES), default=argparse.SUPPRESS,
                      help="budgets of the check (default: default)")
    cite.add_argument("--cvc5-seconds", type=seconds, default=CVC5_SECONDS, metavar="T",
                      help=f"cvc5's time per SMT file (default {CVC5_SECONDS:g})")
    cite.set_defaults(handler=run_cite)
    verify = commands.add_parser(
        "verify-certificate", help="re-check a certificate folder",
        description="Recompute the SHA-256 sums of a certificate folder and re-run every file: "
                    "each SMT file with z3 (and cvc5 when installed), the SymPy script with "
                    "Python. Exit code 0 only when nothing was changed and every answer is the "
                    "expected one.")
    verify.add_argument("folder", metavar="DIR")
    verify.add_argument("--sha256", metavar="HASH", help="the certificate hash you cite")
    verify.add_argument("--cvc5-seconds", type=seconds, default=CVC5_SECONDS, metavar="T",
                        help=f"cvc5's time per SMT file (default {CVC5_SECONDS:g})")
    verify.set_defaults(handler=run_verify)


def _record(theorem: Any) -> dict[str, Any]:
    from pipeproof.checks.certificates.citation import source_keys
    from pipeproof.checks.cli.report import statement_latex, statement_text

    return {"id": theorem.id, "title": theorem.title, "statement": statement_text(theorem),
            "latex": statement_latex(theorem), "hypotheses": list(theorem.hypotheses),
            "source": theorem.source, "expected": theorem.expected,
            "bibtex_keys": source_keys(theorem)}


def run_cite(args: argparse.Namespace) -> int:
    """Print (and with --out write) the citation of one theorem."""
    from pipeproof.checks.certificates.certify import git_commit
    from pipeproof.checks.certificates.citation import bibtex, latex
    from pipeproof.checks.cli.report import package_version
    from pipeproof.checks.outputs import json_text, output_folder
    from pipeproof.theory.catalogue import by_id

    theorem = by_id(args.id)
    out = output_folder("--out", args.out) if args.out is not None else None
    version = package_version()
    if out is None:
        commit, _ = git_commit()
        text = {"latex": lambda: latex(theorem, "not checked (cite --out DIR checks it)", None),
                "bibtex": lambda: bibtex(theorem, version, commit, None),
                "json": lambda: json_text(_record(theorem))}[args.format]()
        sys.stdout.write(text)
        return 0
    return _certify(theorem, args, out, version)


def _certify(theorem: Any, args: argparse.Namespace, out: Path, version: str) -> int:
    from pipeproof.checks.certificates.certify import certify
    from pipeproof.checks.certificates.citation import bibtex, latex
    from pipeproof.checks.certificates.folder import write_folder
    from pipeproof.checks.certificates.smtlib import ExportError
    from pipeproof.checks.outputs import json_text, write_atomically

    profile = PROFILES[getattr(args, "profile", None) or "default"]
    try:
        certificate = certify(theorem, profile, args.cvc5_seconds)
    except ExportError as error:
        print(f"pipeproof: error: no certificate: {error}", file=sys.stderr)
        return 1
    digest = write_folder(out / CERTIFICATE, certificate.files)
    manifest = certificate.manifest
    status = manifest["theorem"]["status"]
    texts = {
        "latex": latex(theorem, status, digest),
        "bibtex": bibtex(theorem, version, manifest["commit"], digest),
        "json": json_text({**_record(theorem), "status": status, "certificate": CERTIFICATE,
                           "sha256": digest, "commit": manifest["commit"],
                           "obligations": [{"name": ob["name"], "status": ob["status"],
                                            "proved_by": ob["proved_by"]}
                                           for ob in manifest["obligations"]],
                           "problems": certificate.problems}),
    }
    for suffix, key in ((".tex", "latex"), (".bib", "bibtex"), (".json", "json")):
        write_atomically(out / f"{theorem.id}{suffix}",
                         lambda temporary, text=texts[key]: temporary.write_text(text, "utf-8"))
    sys.stdout.write(texts[args.format])
    unknown = [entry["path"] for ob in manifest["obligations"]
               for entry in ((ob.get("smt") or {}).get("files") or [])
               if (entry["answers"].get("cvc5") or {}).get("result") == "unknown"]
    print(f"pipeproof: certificate {out / CERTIFICATE}: SHA-256 {digest}; status {status}; "
          f"{sum(path.endswith('.smt2') for path in certificate.files)} SMT files, cvc5 "
          f"unknown on {len(unknown)}", file=sys.stderr)
    if manifest["versions"]["cvc5"] is None:
        print("pipeproof: cvc5 is not installed (pipeproof[crosscheck]): no second solver "
              "re-checked the SMT files", file=sys.stderr)
    for problem in certificate.problems:
        print(f"pipeproof: certificate problem: {problem}", file=sys.stderr)
    return 0 if certificate.ok else 1


def run_verify(args: argparse.Namespace) -> int:
    """Re-check a certificate folder and print what was found."""
    from pipeproof.checks.certificates.verify import verify

    where = Path(args.folder)
    if not where.is_dir():
        raise ParameterError(f"DIR must be a certificate folder, got {args.folder}")
    found = verify(where, args.sha256, args.cvc5_seconds)
    for line in found.lines:
        print(line)
    for line in found.unknown:
        print(f"unknown: {line}")
    for problem in found.problems:
        print(f"FAILED: {problem}")
    verdict = "VALID" if found.ok else "INVALID"
    print(f"certificate {verdict}: SHA-256 {found.digest}, {len(found.problems)} problems, "
          f"{len(found.unknown)} cvc5 unknown")
    return 0 if found.ok else 1
