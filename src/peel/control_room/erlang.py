"""Erlang C: the share of calls answered within a time, given the calls per hour, the average
handling time and the handlers on duty, and the fewest handlers that meet a standard.

Written over numpy rather than taken from pyworkforce because the benchmark plans a year of
hours for every channel at once: pyworkforce's ``ErlangC`` takes one interval per object and
loops in Python, while the recurrence below runs over whole arrays of hours. The test suite
checks both give the same answers (tests/control_room/test_erlang.py), and a discrete-event
simulation checks the model itself (peel.control_room.simulate).

Erlang C assumes Poisson arrivals, exponential handling times and no abandonment: a caller
waits until answered. With A = calls x handling time (offered load, in Erlangs) and N handlers,
the chance a call waits at all is C(N, A), and P(wait <= t) = 1 - C(N, A) exp(-(N - A) t / h).
"""

from __future__ import annotations

import numpy as np

MAX_HANDLERS = 500  # a control room with more on one line would be a different model


def erlang_c(handlers: np.ndarray, load: np.ndarray) -> np.ndarray:
    """The chance a call waits (Erlang C) for each pair of handlers N and load A (Erlangs);
    1 where N <= A (the queue grows without end)."""
    handlers = np.asarray(handlers, dtype=int)
    load = np.asarray(load, dtype=float)
    top = int(handlers.max(initial=0))
    # Erlang B by its stable recurrence B(n) = A B(n-1) / (n + A B(n-1)), kept at n = N.
    b = np.ones_like(load)
    blocking = np.ones_like(load)
    for n in range(1, top + 1):
        b = load * b / (n + load * b)
        blocking = np.where(handlers == n, b, blocking)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = handlers * blocking / (handlers - load * (1 - blocking))
    return np.where(handlers > load, np.clip(c, 0.0, 1.0), 1.0)


def answered_within(
    handlers: np.ndarray, calls_per_hour: np.ndarray, handling_seconds: np.ndarray, seconds: float
) -> np.ndarray:
    """The share of calls answered within ``seconds`` (Erlang C) per hour; 0 where overloaded."""
    handlers = np.asarray(handlers, dtype=int)
    load = np.asarray(calls_per_hour, dtype=float) * np.asarray(handling_seconds, dtype=float) / 3600
    waits = erlang_c(handlers, load)
    rate = np.maximum(handlers - load, 0) / np.asarray(handling_seconds, dtype=float)
    share = 1 - waits * np.exp(-rate * seconds)
    return np.where(handlers > load, share, 0.0)


def handlers_needed(
    calls_per_hour: np.ndarray, handling_seconds: np.ndarray, seconds: float, share: float
) -> np.ndarray:
    """The fewest handlers per hour for ``share`` of calls answered within ``seconds``
    (at least one on duty in every hour)."""
    calls = np.asarray(calls_per_hour, dtype=float)
    handling = np.broadcast_to(np.asarray(handling_seconds, dtype=float), calls.shape)
    needed = np.maximum(np.floor(calls * handling / 3600).astype(int) + 1, 1)
    for _ in range(MAX_HANDLERS):
        short = answered_within(needed, calls, handling, seconds) < share
        if not short.any():
            return needed
        needed = needed + short
    raise ValueError(
        f"More than {MAX_HANDLERS} handlers would be needed in some hour: check the calls per "
        f"hour and handling times given (largest {calls.max():.0f} calls, {handling.max():.0f} s)."
    )
