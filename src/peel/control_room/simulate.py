"""A discrete-event simulation (simpy) of the control room's 999 line, to check the Erlang C
staffing model against something that does not share its algebra: calls arrive at random
(Poisson), queue for the first free handler, and are handled for a random (exponential) time.
The share answered within the standard is counted from the simulated calls themselves.
"""

from __future__ import annotations

import numpy as np
import simpy

WARM_UP = 0.1  # share of simulated calls left out of the count: the queue starts empty


BATCHES = 20  # batch means: the standard error of a queue's share, whose calls are correlated


def simulate_answered_within(handlers: int, calls_per_hour: float, handling_seconds: float,
                             seconds: float, calls: int = 20_000, seed: int = 0) -> float:
    """The simulated share answered within ``seconds`` (see ``simulate_with_error``)."""
    return simulate_with_error(handlers, calls_per_hour, handling_seconds, seconds, calls, seed)[0]


def simulate_with_error(handlers: int, calls_per_hour: float, handling_seconds: float,
                        seconds: float, calls: int = 20_000, seed: int = 0) -> tuple[float, float]:
    """The share of ``calls`` simulated calls answered within ``seconds`` with ``handlers``
    on duty, and its standard error by batch means (consecutive calls' waits are correlated,
    so the binomial error would understate it several times). Arrivals and handling times
    are drawn with ``seed``: the same seed gives the same calls whatever the handlers."""
    if handlers < 1:
        return 0.0, 0.0
    if calls_per_hour <= 0:
        return 1.0, 0.0  # nobody calls, nobody waits
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(3600 / calls_per_hour, calls)
    talk = rng.exponential(handling_seconds, calls)
    waits = np.empty(calls)
    env = simpy.Environment()
    room = simpy.Resource(env, capacity=handlers)

    def call(i: int):
        arrived = env.now
        with room.request() as answered:
            yield answered
            waits[i] = env.now - arrived
            yield env.timeout(talk[i])

    def arrivals():
        for i in range(calls):
            yield env.timeout(gaps[i])
            env.process(call(i))

    env.process(arrivals())
    env.run()
    counted = waits[int(calls * WARM_UP):] <= seconds
    batches = np.array([b.mean() for b in np.array_split(counted, BATCHES)])
    return float(counted.mean()), float(batches.std(ddof=1) / np.sqrt(BATCHES))


def check_plan(plan, handling_seconds: float, seconds: float, calls: int = 2_000, seed: int = 0) -> list[dict]:
    """Simulate every hour of a staffing plan (``staffing.plan_handlers``) with the proposed
    handlers and with one fewer, on the same simulated calls: per hour, the model's shares
    beside the simulated ones and their standard errors."""
    results = []
    for i, row in enumerate(plan.itertuples()):
        share, error = simulate_with_error(row.handlers, row.calls, handling_seconds, seconds, calls, seed + i)
        fewer, fewer_error = simulate_with_error(row.handlers - 1, row.calls, handling_seconds, seconds,
                                                 calls, seed + i)
        results.append({"ds": row.ds, "calls": row.calls, "handlers": row.handlers,
                        "model": row.expected_share, "model_one_fewer": row.share_one_fewer,
                        "simulated": share, "error": error,
                        "simulated_one_fewer": fewer, "error_one_fewer": fewer_error})
    return results
