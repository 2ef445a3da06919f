"""What a convergence chain rests on: its formal hypotheses and the lemmas it uses.

The formal hypotheses (``Theorem.assumptions``) are the domains of the statement's symbols and
the step-size conditions; everything else a chain uses is a premise with its provenance
(:mod:`pipeproof.theory.catalogue.convergence.premises`). :func:`lemma_notes` lists the lemmas of
:mod:`pipeproof.theory.lemmas` a chain uses, proved or tested on random instances.
"""

from __future__ import annotations

import sympy as sp

from pipeproof.theory.convergence import F0, G, K, L, S, delta, gamma, sigma
from pipeproof.theory.lemmas import LEMMAS
from pipeproof.theory.theorem import Obligation

DOMAINS = (sp.Ge(S, 1, evaluate=False), sp.Ge(K, 1, evaluate=False),
           sp.Ge(delta, 0, evaluate=False), *(sp.Gt(positive, 0, evaluate=False)
                                              for positive in (gamma, L, G, F0)))
"""S >= 1 blocks, K >= 1 updates, delta >= 0, and the positive constants gamma, L, G, F0."""


def formal_hypotheses(*conditions: sp.Basic, moment: bool = True) -> tuple[sp.Basic, ...]:
    """The domains (without G when ``moment`` is False, with sigma > 0 then) and
    ``conditions``."""
    domains = DOMAINS if moment else (*(d for d in DOMAINS if G not in d.free_symbols),
                                      sp.Gt(sigma, 0, evaluate=False))
    return (*domains, *conditions)


def used_lemmas(obligations: tuple[Obligation, ...]) -> dict[str, list[str]]:
    """The names of the lemmas the premises of ``obligations`` use, by status."""
    names = {p.source for ob in obligations for p in ob.premises if p.kind == "lemma"}
    found: dict[str, list[str]] = {"proved": [], "tested": []}
    for name in sorted(names):
        found[LEMMAS[name].status].append(name)
    return found


def lemma_notes(obligations: tuple[Obligation, ...]) -> str:
    """"Lemmas proved here: ...; tested on random instances, not proved: ..."."""
    found = used_lemmas(obligations)
    proved = ", ".join(found["proved"]) or "none"
    tested = ", ".join(found["tested"]) or "none"
    return (f"Lemmas (pipeproof.theory.lemmas) proved by an obligation of this theorem: "
            f"{proved}; tested on random instances (tests/test_lemmas.py), not proved: {tested}.")


DERIVATION = ("Coverage by derivation (pipeproof.checks.soundness.derivation): the last "
              "obligation concludes the statement, and every premise of every obligation is a "
              "chain formula of an assumption record the theorem lists or of a definition of the "
              "algorithm, a lemma, or the goal of an earlier obligation, each at an instance that "
              "replaces only integer indices (never a constant) inside their domains, a formal "
              "hypothesis, or an induction with a fresh witness; every quantity of a step is a "
              "function of the step index. ")
"""The first sentence of the notes of the chain theorems covered by their derivation."""

__all__ = ["DERIVATION", "DOMAINS", "formal_hypotheses", "lemma_notes",
           "used_lemmas"]
