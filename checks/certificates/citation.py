"""A theorem as a citable statement: LaTeX (amsthm) and the BibTeX of its sources and of pipeproof.

The sources come from the theorem record's ``source`` field: ``[P]`` (the paper's abstract) and
``[C]`` (the authors' code and figures, which state the same model) cite Ilin and Richtárik, arXiv
2606.03498; ``[L] Huang``, ``[L] Narayanan`` and ``[L] Harlap`` cite GPipe, PipeDream-2BW/Flush
and PipeDream; ``[D]`` (derived and proved here) cites pipeproof itself, which every citation
also names with the SHA-256 of the certificate.
"""

from __future__ import annotations

import re

import sympy as sp

from pipeproof.theory.theorem import Theorem

PAPER_KEY = "ilin2026demystifying"
PIPEPROOF_KEY = "pipeproof"

BIBTEX = {
    PAPER_KEY: """@misc{ilin2026demystifying,
  author        = {Ilin, Ivan and Richt{\\'a}rik, Peter},
  title         = {Demystifying Pipeline Parallelism: First Theory for {PipeDream}},
  year          = {2026},
  eprint        = {2606.03498},
  archivePrefix = {arXiv}
}""",
    "huang2019gpipe": """@inproceedings{huang2019gpipe,
  author    = {Huang, Yanping and Cheng, Youlong and Bapna, Ankur and Firat, Orhan and
               Chen, Dehao and Chen, Mia Xu and Lee, HyoukJoong and Ngiam, Jiquan and
               Le, Quoc V. and Wu, Yonghui and Chen, Zhifeng},
  title     = {{GPipe}: Efficient Training of Giant Neural Networks using Pipeline Parallelism},
  booktitle = {Advances in Neural Information Processing Systems},
  year      = {2019}
}""",
    "narayanan2021memory": """@inproceedings{narayanan2021memory,
  author    = {Narayanan, Deepak and Phanishayee, Amar and Shi, Kaiyu and Chen, Xie and
               Zaharia, Matei},
  title     = {Memory-Efficient Pipeline-Parallel {DNN} Training},
  booktitle = {Proceedings of the 38th International Conference on Machine Learning},
  year      = {2021}
}""",
    "harlap2018pipedream": """@misc{harlap2018pipedream,
  author        = {Harlap, Aaron and Narayanan, Deepak and Phanishayee, Amar and
                   Seshadri, Vivek and Devanur, Nikhil and Ganger, Greg and Gibbons, Phil},
  title         = {{PipeDream}: Fast and Efficient Pipeline Parallel {DNN} Training},
  year          = {2018},
  eprint        = {1806.03377},
  archivePrefix = {arXiv}
}""",
}
"""BibTeX of every source a theorem record names."""

_LITERATURE = (("Huang", "huang2019gpipe"), ("Narayanan", "narayanan2021memory"),
               ("Harlap", "harlap2018pipedream"))


def source_keys(theorem: Theorem) -> list[str]:
    """The BibTeX keys of the sources of ``theorem`` (pipeproof itself last, always)."""
    source = theorem.source
    keys = []
    if "[P]" in source or "[C]" in source:
        keys.append(PAPER_KEY)
    keys += [key for name, key in _LITERATURE if name in source]
    return [*dict.fromkeys(keys), PIPEPROOF_KEY]


def pipeproof_bibtex(version: str, commit: str | None, digest: str | None) -> str:
    """The BibTeX of pipeproof at ``version`` (and ``commit``), naming the certificate's hash."""
    note = [f"version {version}"]
    if commit:
        note.append(f"commit {commit}")
    if digest:
        note.append(f"certificate SHA-256 {digest}")
    return ("@software{pipeproof,\n"
            "  author  = {{The pipeproof authors}},\n"
            "  title   = {{pipeproof}: Machine-Checked Theorems of Pipeline-Parallel Training},\n"
            f"  version = {{{version}}},\n"
            "  year    = {2026},\n"
            f"  note    = {{{', '.join(note)}}}\n"
            "}")


def bibtex(theorem: Theorem, version: str, commit: str | None, digest: str | None) -> str:
    """The BibTeX entries of the sources of ``theorem`` and of pipeproof."""
    entries = [BIBTEX[key] if key != PIPEPROOF_KEY else pipeproof_bibtex(version, commit, digest)
               for key in source_keys(theorem)]
    return "\n\n".join(entries) + "\n"


_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}


def escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped."""
    return re.sub(r"[\\&%$#_{}~^]", lambda match: _SPECIAL[match.group()], text)


def latex(theorem: Theorem, status: str, digest: str | None) -> str:
    """The theorem as an amsthm ``theorem`` environment: the statement, its hypotheses (in
    words and formally), the sources cited, and pipeproof's status with the certificate hash."""
    keys = ",".join(source_keys(theorem))
    hypotheses = "\n".join(f"  \\item {escape(text)}" for text in theorem.hypotheses)
    formal = ", ".join(f"${sp.latex(assumption)}$" for assumption in theorem.assumptions
                       if assumption is not sp.true)
    lines = [
        "% \\usepackage{amsmath,amsthm}  \\newtheorem{theorem}{Theorem}",
        f"\\begin{{theorem}}[{escape(theorem.title)}; \\texttt{{{theorem.id}}}]"
        f"\\label{{thm:{theorem.id.lower()}}}",
    ]
    if hypotheses:
        lines += ["Assume", "\\begin{itemize}", hypotheses, "\\end{itemize}"]
    if formal:
        lines.append(f"that is, {formal}.")
    lines += [
        "Then",
        "\\[",
        f"  {sp.latex(theorem.statement)}",
        "\\]",
        f"(source: {escape(theorem.source)}~\\cite{{{keys}}}).",
        "\\end{theorem}",
        f"% pipeproof status: {status}"
        + (f"; certificate SHA-256 {digest}" if digest else ""),
    ]
    return "\n".join(lines) + "\n"
