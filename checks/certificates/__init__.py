"""Certificates that stand without pipeproof.

A certificate of a theorem is a folder: every SMT query that proved one of its obligations (one
per case of a case split) as a standalone SMT-LIB 2 file, the same queries' hypotheses as files
that must be satisfiable (no vacuous proof), the SymPy steps as a plain SymPy script, the theorem
in LaTeX, the BibTeX of its sources and of pipeproof, a manifest with every verdict, and SHA-256
sums over all of it (:mod:`.folder`). A second solver, cvc5, re-checks every SMT file
(:mod:`.solvers`); :mod:`.verify` re-checks a folder from its files alone.

Modules: :mod:`.smtlib` (the SMT-LIB files), :mod:`.solvers` (z3 and cvc5 on file text),
:mod:`.replay` (the SymPy script), :mod:`.citation` (LaTeX and BibTeX), :mod:`.folder`
(writing and hashing a certificate), :mod:`.verify`.
"""
