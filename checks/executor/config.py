"""The parameters of one executor run, validated once, at the boundary.

Names follow the parameter vocabulary of :mod:`pipeproof.theory.parameters`; the executor adds

=====================  ===========================================================
name                   meaning
=====================  ===========================================================
``method``             pipedream, rpd, localsgd, gpipe, flush, 2bw or sgd
``objective``          quadratic (random Gaussian), nesterov, tridiagonal, spectrum,
                       logistic, mlp or transformer
``batch_size``         rows per microbatch
``accumulation``       microbatches per optimizer step (gpipe, flush, 2bw; sgd: 1)
``delays``             rpd: "uniform" in 0..min(delta, k), or "pipedream" (replayed)
``num_block_updates``  rpd: K (default S M)
``noise``              sigma of the Gaussian noise added to every block gradient
``dim``                d (quadratics, logistic), input features (mlp)
``num_samples``        n (quadratic, logistic, mlp)
``condition``          kappa (nesterov, spectrum)
``width``              hidden width (mlp, transformer)
``context``            characters per window (transformer)
``forward_cost``       t_F, slots per forward (pipelined methods; default 1)
``backward_cost``      t_B, slots per backward
``tables``             where op tables come from: "auto" (the proved closed form where
                       there is one, else the policy simulator), "policy" or "closed-form"
``slot_budget``        T: stop at simulated time T (:mod:`.budget`); M is then derived
``batching``           "random" rows with replacement, or "cyclic" fixed contiguous
                       batches in order (:mod:`.sampler`)
``label_noise``        sigma of the noise on the targets y (quadratic: default 0.1;
                       tridiagonal: default 0)
``labels``             logistic: "flipped" (sign labels, 10% flipped) or "bernoulli"
                       (y ~ Bernoulli(sigmoid(x . w)), the authors' data)
``data_seed``          seed of the data alone (default: a child stream of ``seed``)
``data_path``          an .npz file with X (n x d) and y (n) for quadratic or logistic
=====================  ===========================================================

A run of M microbatches makes S M block updates for PipeDream, LocalSGD and SGD, and
S M / accumulation for the methods that accumulate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pipeproof.checks.executor.backend import BACKENDS, DEVICES
from pipeproof.checks.executor.sampler import BATCHING
from pipeproof.checks.tables.generate import GENERATORS
from pipeproof.theory.parameters import ParameterError, check_choice, check_int, check_real

DELAY_MODES = ("uniform", "pipedream")
DEFAULT_DIM = {"quadratic": 512, "nesterov": 512, "tridiagonal": 512, "spectrum": 512,
               "logistic": 512, "mlp": 16, "transformer": 0}
DATA_OBJECTIVES = ("quadratic", "tridiagonal", "logistic", "mlp")
"""Objectives with n samples set by ``num_samples``."""
LABEL_NOISE = {"quadratic": 0.1, "tridiagonal": 0.0}
"""Default sigma of the target noise, for the objectives that have one."""
LABELS = ("flipped", "bernoulli")
FILE_OBJECTIVES = ("quadratic", "logistic")
"""Objectives that accept ``data_path``."""
DEFAULT_CONDITION = {"nesterov": 1e3, "spectrum": 1e2}
"""Default kappa (nesterov: at most the condition number of tridiag(-1, 2, -1) of size d)."""
MAX_DESIGN_ENTRIES = 1 << 29
"""Largest n d for a dense design (4 GiB in float64)."""


@dataclass(frozen=True)
class RunConfig:
    """One run; build it with :func:`run_config`, which fills the defaults and checks ranges."""

    method: str
    objective: str
    num_stages: int
    num_microbatches: int
    step_size: float | None
    seed: int = 0
    batch_size: int = 10
    max_delay: int | None = None
    delays: str = "uniform"
    num_block_updates: int | None = None
    num_runs: int = 1
    local_steps: int = 1
    accumulation: int = 1
    forward_cost: int = 1
    backward_cost: int = 1
    noise: float = 0.0
    dim: int = 0
    num_samples: int = 0
    condition: float | None = None
    width: int = 32
    context: int = 16
    backend: str = "numpy"
    device: str = "cpu"
    trace_points: int = 1000
    keep_arrays: bool = False
    tables: str = "auto"
    slot_budget: int | None = None
    batching: str = "random"
    label_noise: float | None = None
    labels: str = "flipped"
    data_seed: int | None = None
    data_path: str | None = None

    @property
    def block_updates(self) -> int:
        """K, the block updates the run makes."""
        if self.method == "rpd":
            return self.num_block_updates or self.num_stages * self.num_microbatches
        if self.method in ("gpipe", "flush", "2bw"):
            return self.num_stages * (self.num_microbatches // self.accumulation)
        return self.num_stages * self.num_microbatches

    def with_length(self, num_microbatches: int) -> RunConfig:
        """The same run, shortened to ``num_microbatches`` (RPD: S times as many updates), with no
        slot budget."""
        updates = None if self.num_block_updates is None else self.num_stages * num_microbatches
        return replace(self, num_microbatches=num_microbatches, num_block_updates=updates,
                       slot_budget=None)

    def to_json(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return data


def step_granularity(method: str, accumulation: int, num_runs: int, local_steps: int) -> int:
    """Microbatch counts must be multiples of this (one step, one LocalSGD round)."""
    if method in ("gpipe", "flush", "2bw"):
        return accumulation
    return num_runs * local_steps if method == "localsgd" else 1


def run_config(method: str, objective: str, num_stages: int, num_microbatches: int | None = None,
               step_size: float | str | None = "auto", **options: Any) -> RunConfig:
    """Validate a run and fill its defaults.

    ``step_size`` is a number > 0 or "auto" (stored as None: the best of a grid, chosen by
    :mod:`pipeproof.checks.executor.stepsize`).

    Defaults: M = 10 S (rounded up to whole steps or rounds); LocalSGD R = S, H = 5; the
    accumulation is S for gpipe, flush and 2bw and 1 for sgd; delta = S^2 - ceil(S/2) for
    uniform RPD; sizes as in :data:`DEFAULT_DIM`.

    Raises:
        ParameterError: naming the parameter and its accepted range.
    """
    from pipeproof.checks.executor.methods.registry import method_name
    from pipeproof.checks.executor.objectives.registry import objective_name

    method, objective = method_name(method), objective_name(objective)
    stages = check_int("num_stages", num_stages, 3 if objective == "transformer" else 1)
    budget = options.pop("slot_budget", None)
    values = _method_options(method, stages, options)
    values.update(_data_options(objective, options))
    values.update(_objective_options(objective, options))
    values["step_size"] = None if step_size in ("auto", None) else check_real(
        "step_size", step_size, 0.0, open_min=True)
    for name, low in (("seed", 0), ("batch_size", 1), ("trace_points", 1)):
        if name in options:
            values[name] = check_int(name, options.pop(name), low)
    values["noise"] = check_real("noise", options.pop("noise", 0.0), 0.0)
    for name in ("forward_cost", "backward_cost"):
        values[name] = check_int(name, options.pop(name, 1), 1)
    if method == "rpd" and values["forward_cost"] * values["backward_cost"] != 1:
        raise ParameterError("forward_cost and backward_cost apply to the pipelined methods "
                             "(rpd has no schedule)")
    values["backend"] = check_choice("backend", options.pop("backend", "numpy"), BACKENDS)
    values["device"] = check_choice("device", options.pop("device", "cpu"), DEVICES)
    values["keep_arrays"] = bool(options.pop("keep_arrays", False))
    values["tables"] = check_choice("tables", options.pop("tables", "auto"), GENERATORS)
    if options:
        raise ParameterError(f"unknown parameter {sorted(options)[0]} (run_config takes the "
                             "names of the RunConfig fields)")
    micro = _length(method, stages, num_microbatches, budget, values)
    return RunConfig(method=method, objective=objective, num_stages=stages,
                     num_microbatches=micro, **values)


def _length(method: str, stages: int, num_microbatches: int | None, budget: int | None,
            values: dict[str, Any]) -> int:
    """M: given, derived from the slot budget (which also sets RPD's K), or 10 S; whole steps
    or rounds."""
    from pipeproof.checks.executor import budget as budgets

    unit = step_granularity(method, values.get("accumulation", 1), values.get("num_runs", 1),
                            values.get("local_steps", 1))
    if budget is not None:
        values["slot_budget"] = check_int("slot_budget", budget, 1)
        if num_microbatches is not None or values.get("num_block_updates") is not None:
            raise ParameterError("slot_budget sets the length of the run: leave out "
                                 "num_microbatches and num_block_updates")
        micro = budgets.microbatches_for_budget(
            method, stages, values["slot_budget"], unit, values.get("num_runs", 1),
            values.get("local_steps", 1), values["forward_cost"], values["backward_cost"],
            values["tables"])
        if method == "rpd" and values["delays"] == "uniform":
            slots = budgets.pipedream_update_slots(stages, micro, values["tables"])
            values["num_block_updates"] = max(1, budgets.updates_within(
                slots, values["slot_budget"]))
        return micro
    micro = -(-10 * stages // unit) * unit if num_microbatches is None else check_int(
        "num_microbatches", num_microbatches, unit)
    if micro % unit:
        raise ParameterError(f"num_microbatches must be a multiple of {unit} (one "
                             f"{'round R H' if method == 'localsgd' else 'step'}), got {micro}")
    return micro


def _data_options(objective: str, options: dict[str, Any]) -> dict[str, Any]:
    """batching, label_noise, labels, data_seed and data_path; a data file sets d and n."""
    values: dict[str, Any] = {"batching": check_choice(
        "batching", options.pop("batching", None) or "random", BATCHING)}
    noise, labels = options.pop("label_noise", None), options.pop("labels", None)
    path, seed = options.pop("data_path", None), options.pop("data_seed", None)
    if seed is not None:
        values["data_seed"] = check_int("data_seed", seed, 0)
    if path is not None:
        from pipeproof.checks.executor.objectives.datafile import read_data

        if objective not in FILE_OBJECTIVES:
            raise ParameterError(f"data_path applies to {' and '.join(FILE_OBJECTIVES)}, got "
                                 f"objective {objective}")
        if any(options.get(name) is not None for name in ("dim", "num_samples")) or (
                noise is not None or seed is not None):
            raise ParameterError("data_path sets d and n and draws no data: leave out dim, "
                                 "num_samples, label_noise and data_seed")
        design, _ = read_data(path, objective)
        options["num_samples"], options["dim"] = design.shape
        values["data_path"] = str(path)
    if noise is not None:
        if objective not in LABEL_NOISE:
            raise ParameterError(f"label_noise applies to {' and '.join(LABEL_NOISE)}, got "
                                 f"objective {objective}")
        values["label_noise"] = check_real("label_noise", noise, 0.0)
    elif objective in LABEL_NOISE and path is None:
        values["label_noise"] = LABEL_NOISE[objective]
    if labels is not None:
        if objective != "logistic" or path is not None:
            raise ParameterError("labels applies to the generated logistic data only")
        values["labels"] = check_choice("labels", labels, LABELS)
    return values


def _method_options(method: str, stages: int, options: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    runs, steps = options.pop("num_runs", None), options.pop("local_steps", None)
    if method == "localsgd":
        values["num_runs"] = check_int("num_runs", stages if runs is None else runs, 1)
        values["local_steps"] = check_int("local_steps", 5 if steps is None else steps, 1)
    elif runs not in (None, 1) or steps not in (None, 1):
        raise ParameterError("num_runs and local_steps apply to localsgd only")
    accumulation = options.pop("accumulation", None)
    if method in ("gpipe", "flush", "2bw"):
        low = stages if method == "2bw" else 1
        values["accumulation"] = check_int("accumulation", stages if accumulation is None
                                           else accumulation, low)
    elif accumulation not in (None, 1):
        raise ParameterError("accumulation applies to gpipe, flush and 2bw only")
    values.update(_rpd_options(method, stages, options))
    return values


def _rpd_options(method: str, stages: int, options: dict[str, Any]) -> dict[str, Any]:
    delay, mode = options.pop("max_delay", None), options.pop("delays", None)
    updates = options.pop("num_block_updates", None)
    if method != "rpd":
        if delay is not None or mode is not None or updates is not None:
            raise ParameterError("max_delay, delays and num_block_updates apply to rpd only")
        return {}
    mode = check_choice("delays", mode or "uniform", DELAY_MODES)
    if mode == "pipedream" and (delay is not None or updates is not None):
        raise ParameterError("max_delay and num_block_updates come from the PipeDream table "
                             "when delays is pipedream (leave them out)")
    default = stages * stages - (stages + 1) // 2
    return {"delays": mode,
            "max_delay": check_int("max_delay", default if delay is None else delay, 0),
            "num_block_updates": None if updates is None else check_int(
                "num_block_updates", updates, 1)}


def _objective_options(objective: str, options: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if objective != "transformer":
        dim = options.pop("dim", None)
        values["dim"] = check_int("dim", DEFAULT_DIM[objective] if dim is None else dim, 1)
    samples = options.pop("num_samples", None)
    if objective in ("nesterov", "tridiagonal", "spectrum") and values["dim"] > 8192:
        raise ParameterError(f"dim must be an integer in 1..8192 for {objective}, got "
                             f"{values['dim']}")
    if samples is not None and objective not in DATA_OBJECTIVES:
        raise ParameterError(f"num_samples applies to {', '.join(DATA_OBJECTIVES)} (the "
                             f"{objective} objective fixes its own)")
    if objective in DATA_OBJECTIVES:
        values["num_samples"] = check_int("num_samples", 1024 if samples is None else samples, 1)
        if values["num_samples"] * values["dim"] > MAX_DESIGN_ENTRIES:
            raise ParameterError(f"num_samples * dim must be at most {MAX_DESIGN_ENTRIES}, got "
                                 f"{values['num_samples'] * values['dim']}")
    if objective == "tridiagonal" and values["num_samples"] < values["dim"]:
        raise ParameterError(f"num_samples must be an integer >= dim = {values['dim']} for "
                             f"tridiagonal (X^T X / n equals the tridiagonal matrix), got "
                             f"{values['num_samples']}")
    condition = options.pop("condition", None)
    if condition is not None and objective not in (*DEFAULT_CONDITION, "tridiagonal"):
        raise ParameterError("condition applies to nesterov, tridiagonal and spectrum only")
    if objective in (*DEFAULT_CONDITION, "tridiagonal"):
        values["condition"] = None if condition is None else check_real(
            "condition", condition, 1.0, open_min=True)
    for name, default, low in (("width", 32, 1), ("context", 16, 2)):
        value = options.pop(name, None)
        values[name] = check_int(name, default if value is None else value, low)
    return values
