"""Per-rank action tables of the chunked and zero-bubble schedules, made by their policies.

None of these tables comes from a closed form: each is the output of a policy run event by
event (the zero-bubble family, ZB-V) or of the schedule's published order rule (interleaved
1F1B), then timed as early as dependencies allow (:mod:`.action_timing`).

* ``interleaved`` (Megatron-LM interleaved 1F1B, Narayanan et al. 2021), v chunks per rank,
  stage j = c S + r on rank r, S | M: forwards in groups of S microbatches, chunk by chunk
  (the k-th forward of a rank is chunk floor(k/S) mod v of microbatch floor(k/(vS)) S + k mod S;
  backwards the same with the chunks reversed); rank r runs min(2(S - 1 - r) + (v - 1) S, vM)
  warm-up forwards (S - 1 - r for v = 1, Megatron's 1F1B), then alternates one forward and one
  backward, then drains its backwards.
* the zero-bubble policies (Qi et al. 2024): a free rank runs, in this order of preference, a
  ready input-gradient op I, its oldest pending weight-gradient op W once more than ``cap`` are
  pending, a ready forward while fewer than ``limit`` activations of the stage are live (forward
  started, I not ended), and its oldest pending W; ``zb-h1``: limit S - r (1F1B's memory), cap
  S - 1; ``zb-h2``: limit 2(S - r) - 1 (ZB-H2's 2S - 1 on rank 0), no cap; ``zb-v``: two chunks
  per rank in a V (stages r and 2S - 1 - r), limit 2S - j on stage j (1F1B over the 2S chunks),
  no cap, and among ready ops the later stage first.
* ``1f1b`` (with a flush) and ``gpipe`` with B = I + W as one op, for comparison.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeproof.checks.tables.actions import DEFAULT_COSTS, ActionTable, build
from pipeproof.theory.parameters import ParameterError, check_int

FAMILIES = ("gpipe", "1f1b", "interleaved", "zb-h1", "zb-h2", "zb-v")
"""Schedule families this module builds."""


def interleaved_orders(num_ranks: int, num_micro: int, chunks: int) -> list[list[tuple]]:
    """Megatron's interleaved 1F1B order of every rank (module docstring)."""
    group = num_ranks * chunks

    def op(k: int, forward: bool, rank: int) -> tuple[int, str, int]:
        chunk = (k // num_ranks) % chunks
        chunk = chunk if forward else chunks - 1 - chunk
        micro = (k // group) * num_ranks + k % num_ranks
        return (chunk * num_ranks + rank, "F" if forward else "B", micro)

    total = chunks * num_micro
    orders = []
    for rank in range(num_ranks):
        extra = 2 * (num_ranks - 1 - rank) + (chunks - 1) * num_ranks
        warm = min(num_ranks - 1 - rank if chunks == 1 else extra, total)
        order = [op(k, True, rank) for k in range(warm)]
        for k in range(total - warm):
            order += [op(warm + k, True, rank), op(k, False, rank)]
        order += [op(k, False, rank) for k in range(total - warm, total)]
        orders.append(order)
    return orders


def _greedy(num_ranks: int, num_micro: int, placement: list[list[int]], limits: list[int],
            costs: Mapping[str, int], num_stages: int, split: bool = True,
            w_caps: list[int] | None = None) -> list[list[tuple]]:
    """Run the zero-bubble policy (module docstring) event by event; ``placement[r]`` are rank
    r's stages, preferred in that order, ``limits[j]`` the live activations stage j may hold
    (forward started, I or B not ended), ``w_caps[r]`` the pending W that rank r lets wait
    before it prefers a W to a forward."""
    end: dict[tuple[str, int, int], int] = {}
    next_f = {j: 0 for stages in placement for j in stages}
    next_i = dict(next_f)
    freed = dict(next_f)
    pending_w: list[list[tuple[int, int]]] = [[] for _ in range(num_ranks)]
    caps = w_caps or [num_stages * num_micro] * num_ranks
    free = [0] * num_ranks
    orders: list[list[tuple]] = [[] for _ in range(num_ranks)]
    back = "I" if split else "B"
    total = num_stages * num_micro * (3 if split else 2)
    done = 0
    now = 0
    while done < total:
        for r in range(num_ranks):
            if free[r] > now:
                continue
            for j in placement[r]:
                while freed[j] < next_i[j] and end[(back, j, freed[j])] <= now:
                    freed[j] += 1
            live = {j: next_f[j] - freed[j] for j in placement[r]}
            choice = _choose(now, placement[r], end, next_f, next_i, live, limits,
                             pending_w[r], caps[r], num_micro, num_stages, back)
            if choice is None:
                continue
            op, j, micro = choice
            end[(op, j, micro)] = free[r] = now + int(costs[op])
            orders[r].append((j, op, micro))
            done += 1
            if op == "F":
                next_f[j] += 1
            elif op == back:
                next_i[j] += 1
                if split:
                    pending_w[r].append((j, micro))
            else:
                pending_w[r].remove((j, micro))
        upcoming = [t for t in free if t > now]
        if not upcoming and done < total:
            raise RuntimeError("zero-bubble policy deadlocked")
        now = min(upcoming) if upcoming else now
    return orders


def _choose(now, stages, end, next_f, next_i, live, limits, pending_w, w_cap, num_micro,
            num_stages, back):
    def ended(key) -> bool:
        return key in end and end[key] <= now

    for j in stages:
        m = next_i[j]
        if m < num_micro and ended(("F", j, m)) and (
                j == num_stages - 1 or ended((back, j + 1, m))):
            return back, j, m
    if len(pending_w) > w_cap:
        return ("W", *pending_w[0])
    for j in stages:
        m = next_f[j]
        if live[j] < limits[j] and m < num_micro and (j == 0 or ended(("F", j - 1, m))):
            return "F", j, m
    if pending_w:
        return ("W", *pending_w[0])
    return None


def policy_table(family: str, num_ranks: int, num_micro: int, chunks: int = 1,
                 costs: Mapping[str, int] | None = None) -> ActionTable:
    """The action table of ``family`` made by its policy (module docstring).

    Raises:
        ParameterError: for an unknown family, S < 1, M < 1, or an interleaved M not a multiple
            of S.
    """
    if family not in FAMILIES:
        raise ParameterError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
    num_ranks = check_int("num_stages", num_ranks, 1)
    num_micro = check_int("num_microbatches", num_micro, 1)
    costs = {**DEFAULT_COSTS, **dict(costs or {})}
    if family == "interleaved":
        chunks = check_int("chunks", chunks, 1)
        if num_micro % num_ranks:
            raise ParameterError(f"num_microbatches must be a multiple of num_stages = "
                                 f"{num_ranks} for interleaved 1F1B, got {num_micro}")
        return build(interleaved_orders(num_ranks, num_micro, chunks), chunks * num_ranks,
                     num_micro, costs, family, chunks)
    if family == "zb-v":
        placement = [[2 * num_ranks - 1 - r, r] for r in range(num_ranks)]
        limits = [2 * num_ranks - j for j in range(2 * num_ranks)]
        orders = _greedy(num_ranks, num_micro, placement, limits, costs, 2 * num_ranks)
        return build(orders, 2 * num_ranks, num_micro, costs, family, 2)
    placement = [[r] for r in range(num_ranks)]
    if family == "gpipe":
        orders = [[(r, "F", m) for m in range(num_micro)] + [(r, "B", m) for m in
                                                             range(num_micro)]
                  for r in range(num_ranks)]
        return build(orders, num_ranks, num_micro, costs, family, 1)
    ranks = range(num_ranks)
    limits = [2 * (num_ranks - r) - 1 if family == "zb-h2" else num_ranks - r for r in ranks]
    caps = [num_ranks - 1] * num_ranks if family == "zb-h1" else None
    orders = _greedy(num_ranks, num_micro, placement, limits, costs, num_ranks,
                     split=family != "1f1b", w_caps=caps)
    return build(orders, num_ranks, num_micro, costs, family, 1)
