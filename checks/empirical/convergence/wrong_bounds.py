"""The wrong forms of the convergence bounds and the stored instances that refute them.

Every entry changes one theorem's upper bound on E (1/K) sum_{k<K} ||grad f(x^k)||^2 (or drops
one of its step-size conditions) and carries an instance: RPD on the pseudo-Huber objective
lambda sum_j (sqrt(1 + x_j^2) - 1), whose constants hold at every point (L = lambda, f* = 0,
G^2 = lambda^2 + sigma_s^2; :mod:`pipeproof.checks.executor.objectives.pseudo_huber`), with the
oldest delays DELAY admits and an exactly computed expectation
(:mod:`pipeproof.checks.empirical.convergence.exact_expectation`). The stored left and right sides
are what the instance gave when it was found; every run re-runs it
(:func:`pipeproof.checks.empirical.convergence.bound_instance.judge`). The instances:

* STALE: S = 1, gamma = 0.01, delta = 1000: the delayed feedback
  x^{k+1} = x^k - gamma h'(x^{k-1000}) oscillates with |h'| near 1, so the average is 0.84
  while every term but the stale one is about 0.01;
* SCALED: the same with lambda = 100, gamma lambda = 0.001, delta = 5000, which separates L from
  L^2;
* ONE_BLOCK: S = 4, only block 0 away from 0 (x_0 = 8), no delays: block 0 is drawn K/S times,
  so F0/(gamma K) must carry the factor S;
* TUNED: S = 1 at gamma* = sqrt(2 F0/(L G^2 K)) with delta = 500 (the rate is CONV-RPD's bound
  at gamma*, for every delta; PipeDream's delta S^2 - ceil(S/2) enters only the Theta(S^4/K)
  and K >= c S^6 parts of CONV-TUNED, and at S = 2 with it no instance exceeded the wrong rate,
  the largest ratio being 0.21 over K <= 14 with all 2^K block sequences);
* LARGE_STEP: gamma = 3 > 2/L: gradient descent on h settles on the 2-cycle x = +-sqrt(5)/2;
* ONE_STEP: K = 1, gamma = 1/L: ||grad f(x^0)||^2 = 1/2 > F0/gamma = sqrt(2) - 1;
* NOISY: S = 2, sigma_s = 0.3, gamma = 1/L, x^0 near 0, K = 8: the noise floor is about
  gamma L sigma^2 (1 - (1 - 1/S)^k), above gamma L sigma^2/S.
"""

from __future__ import annotations

import math

from pipeproof.checks.empirical.convergence.bound_instance import Instance, WrongBound
from pipeproof.theory import convergence as cv

S, gamma, L, G, F0, delta, sigma, K = (cv.S, cv.gamma, cv.L, cv.G, cv.F0, cv.delta, cv.sigma,
                                       cv.K)
HUBER_1 = math.sqrt(2.0) - 1.0
"""h(1) = sqrt(2) - 1."""

STALE = Instance(stages=1, scale=1.0, noise=0.0, start=(1.0,), step_size=0.01, depth=1000,
                 delta=1000, updates=20000, L=1.0, G=1.0, F0=HUBER_1, sigma=0.0,
                 left=0.8407639643369921)
SCALED = Instance(stages=1, scale=100.0, noise=0.0, start=(1.0,), step_size=1e-5, depth=5000,
                  delta=5000, updates=50000, L=100.0, G=100.0, F0=100.0 * HUBER_1, sigma=0.0,
                  left=6942.661375865508)
ONE_BLOCK = Instance(stages=4, scale=1.0, noise=0.0, start=(8.0, 0.0, 0.0, 0.0),
                     step_size=0.05, depth=0, delta=0, updates=800, L=1.0, G=1.0,
                     F0=math.sqrt(65.0) - 1.0, sigma=0.0, left=0.706639586096465)
TUNED = Instance(stages=1, scale=1.0, noise=0.0, start=(1.0,),
                 step_size=math.sqrt(2.0 * HUBER_1 / 20000), depth=500, delta=500,
                 updates=20000, L=1.0, G=1.0, F0=HUBER_1, sigma=0.0,
                 left=0.5558320510796393)
LARGE_STEP = Instance(stages=1, scale=1.0, noise=0.0, start=(1.0,), step_size=3.0, depth=0,
                      delta=0, updates=1000, L=1.0, G=1.0, F0=HUBER_1, sigma=0.0,
                      left=0.5555013008859999)
ONE_STEP = Instance(stages=1, scale=1.0, noise=0.0, start=(1.0,), step_size=1.0, depth=0,
                    delta=0, updates=1, L=1.0, G=1.0, F0=HUBER_1, sigma=0.0,
                    left=0.4999999999999999)
NOISY = Instance(stages=2, scale=1.0, noise=0.3, start=(1e-3, 1e-3), step_size=1.0, depth=0,
                 delta=0, updates=8, L=1.0, G=math.sqrt(1.09), F0=2.0 * (math.sqrt(1.000001) - 1),
                 sigma=math.sqrt(2.0) * 0.3, left=0.12410826120459928)

FIRST = 2 * S * F0 / (gamma * K)
MIDDLE = gamma * S * L * G**2
BLOCK_WINDOW = cv.stale_window_block()
NO_S_FIRST = 2 * F0 / (gamma * K)

WRONG_BOUNDS = (
    WrongBound("CONV-RPD", "no factor S on the first term: 2 F0/(gamma K) + gamma S L G^2 + "
               "gamma^2 L^2 delta^2 G^2", NO_S_FIRST + MIDDLE + cv.stale_distance(
                   delta**2) * L**2, ONE_BLOCK, 0.5531128874149275),
    WrongBound("CONV-RPD", "delta instead of delta^2: stale term gamma^2 L^2 delta G^2",
               FIRST + MIDDLE + L**2 * cv.stale_distance(delta), STALE, 0.11414213562373095),
    WrongBound("CONV-RPD", "stale term dropped: 2 S F0/(gamma K) + gamma S L G^2",
               FIRST + MIDDLE, STALE, 0.014142135623730952),
    WrongBound("CONV-RPD", "L instead of L^2 in the stale term: gamma^2 L delta^2 G^2",
               FIRST + MIDDLE + L * cv.stale_distance(delta**2), SCALED, 2675.6854249492385),
    WrongBound("CONV-TUNED", "delta instead of delta^2 in the tuned rate: "
               "2 S sqrt(2 L F0 G^2/K) + 2 L F0 delta/K at gamma*",
               cv.leading_term() + 2 * L * F0 * delta / K, TUNED, 0.03358256317676642),
    WrongBound("CONV-BLOCK", "stale term dropped: D = 0", cv.rpd_bound(0), STALE,
               0.014142135623730952),
    WrongBound("CONV-BLOCK", "delta instead of delta^2: D = delta/S + delta(1 - 1/S) = delta",
               cv.rpd_bound(delta), STALE, 0.11414213562373095),
    WrongBound("CONV-PD-LAG", "no factor S on the first term: 2 F0/(gamma K) + gamma S L G^2 + "
               "gamma^2 L^2 G^2 Lambda(S)", NO_S_FIRST + MIDDLE
               + L**2 * cv.stale_distance(cv.pd_lag_sum()), ONE_BLOCK, 0.6181128874149275),
    WrongBound("CONV-VAR", "dropped step-size condition gamma <= 1/L",
               cv.variance_bound(BLOCK_WINDOW), LARGE_STEP, 0.00027614237491539674, conditions=()),
    WrongBound("CONV-VAR", "variance term gamma L sigma^2/S",
               FIRST + gamma * L * sigma**2 / S + L**2 * cv.stale_distance(BLOCK_WINDOW), NOISY,
               0.09000049999987506),
    WrongBound("CONV-VAR", "missing factor 2 in the polarization: S F0/(gamma K) as the first "
               "term", S * F0 / (gamma * K) + gamma * L * sigma**2
               + L**2 * cv.stale_distance(BLOCK_WINDOW), ONE_STEP, 0.41421356237309515),
    WrongBound("CONV-NOG", "dropped gamma <= 1/(2L)", cv.no_moment_bound(), LARGE_STEP,
               0.00027614237491539674,                conditions=(cv.no_moment_conditions()[1],)),
    WrongBound("CONV-NOG", "dropped gamma <= sqrt(S/2)/(L delta)", cv.no_moment_bound(), STALE,
               0.004142135623730951,                conditions=(cv.no_moment_conditions()[0],)),
    WrongBound("CONV-NOG", "no factor S on the first term: 2 F0/(gamma K) + gamma L sigma^2 + "
               "gamma^2 L^2 delta^2 sigma^2/S", NO_S_FIRST + gamma * L * sigma**2
               + gamma**2 * L**2 * delta**2 * sigma**2 / S, ONE_BLOCK, 0.35311288741492747),
)
"""Every wrong bound with its instance, in catalogue order."""


def for_theorem(theorem_id: str) -> tuple[WrongBound, ...]:
    """The wrong bounds of ``theorem_id``."""
    return tuple(wrong for wrong in WRONG_BOUNDS if wrong.theorem == theorem_id)
