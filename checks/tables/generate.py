"""Op tables from a schedule spec: the proved closed form where there is one, else the policy.

PipeDream (NOAM = S) and 1F1B with a flush have closed forms that THR-PD-CLOSED and THR-FLUSH
prove to be the greedy policy's output for every S and M (unit costs); they are evaluated with
NumPy by :mod:`pipeproof.checks.closed_forms` (tested equal to the SymPy expressions of
:mod:`pipeproof.theory.schedules`), so generating a table imports no SymPy. Every other schedule
comes from the policy simulator of :mod:`pipeproof.checks.tables.simulator`.
"""

from __future__ import annotations

import numpy as np

from pipeproof.checks.closed_forms import FORMS
from pipeproof.checks.tables.optable import OpTable
from pipeproof.checks.tables.simulator import simulate
from pipeproof.theory.parameters import ParameterError, ScheduleSpec, check_choice

GENERATORS = ("auto", "closed-form", "policy")


def has_closed_form(spec: ScheduleSpec) -> bool:
    """True when a proved closed form gives the table of ``spec``."""
    unit = spec.forward_cost == 1 and spec.backward_cost == 1
    if spec.name == "pipedream":
        return unit and spec.noam == min(spec.num_stages, spec.num_microbatches)
    return unit and spec.name == "flush"


def closed_form_table(spec: ScheduleSpec) -> OpTable:
    """Evaluate the closed form of ``spec`` on the (S, M) index grid."""
    forward, backward = FORMS[spec.name]
    stage = np.arange(spec.num_stages, dtype=np.int64)[:, None]
    micro = np.arange(spec.num_microbatches, dtype=np.int64)[None, :]
    shape = (spec.num_stages, spec.num_microbatches)
    args = (spec.num_stages, spec.num_microbatches, stage, micro)
    return OpTable(spec, np.broadcast_to(forward(*args), shape).astype(np.int32),
                   np.broadcast_to(backward(*args), shape).astype(np.int32))


def op_table(spec: ScheduleSpec, generator: str = "auto") -> OpTable:
    """The op table of ``spec``.

    Args:
        spec: validated schedule parameters.
        generator: "closed-form", "policy", or "auto" (closed form when proved, else policy).

    Raises:
        ParameterError: for an unknown generator, or "closed-form" where none is proved.
    """
    generator = check_choice("generator", generator, GENERATORS)
    if generator == "policy" or (generator == "auto" and not has_closed_form(spec)):
        return simulate(spec)
    if not has_closed_form(spec):
        raise ParameterError("generator closed-form needs pipedream with NOAM = S or flush, "
                             "with unit costs")
    return closed_form_table(spec)
