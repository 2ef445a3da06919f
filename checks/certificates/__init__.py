"""Certificates that stand without pipeproof.

A certificate of a theorem is a folder: every SMT query that proved one of its obligations (one
per case of a case split) as a standalone SMT-LIB 2 file, the same queries' hypotheses as files
that must be satisfiable (no vacuous proof), one query per case split showing that its cases
cover the domain, the SymPy steps as a plain SymPy script, a manifest with every verdict, and
SHA-256 sums over all of it. A second solver, cvc5, re-checks every SMT file; a reviewer re-checks
a folder from its files alone.

Modules: :mod:`.smtlib` (the SMT-LIB files), :mod:`.split` (the completeness of a case split),
:mod:`.solvers` (z3 and cvc5 on file text), :mod:`.crosscheck` (both solvers on every file, and
the thorough profile's ``crosscheck`` verdict), :mod:`.replay` (the SymPy script),
:mod:`.citation` (LaTeX and BibTeX), :mod:`.certify` (building a certificate), :mod:`.folder`
(writing and sealing it), :mod:`.verify` (re-checking it).
"""
