"""Staffing the forecast: call handlers per hour for a channel's answer standard (Erlang C,
``erlang.py``). Response officers are found by simulation, shift pattern by shift pattern
(``response.py``)."""

from __future__ import annotations

import pandas as pd

from peel.control_room.erlang import answered_within, handlers_needed
from peel.control_room.standards import get_standards


def mean_handling_seconds(con, channel: str) -> float:
    """The mean handling time the plan assumes, seconds: measured from the answered calls."""
    value = con.execute("SELECT avg(handling_seconds) FROM cr_call WHERE channel = ? AND NOT abandoned",
                        [channel]).fetchall()[0][0]
    if value is None:
        raise ValueError(f"No answered {channel} calls to measure handling time from: load calls first.")
    return float(value)


def plan_handlers(forecast: pd.DataFrame, channel: str, handling_seconds: float) -> pd.DataFrame:
    """Handlers per hour for a channel's answer standard, from its hourly forecast (ds, mean):
    ds, calls, handlers and the share the model expects within the standard, with one fewer."""
    standard = get_standards().channels[channel]
    if standard.answer_within_seconds is None:
        raise ValueError(f"Channel {channel} has no answer standard to staff for.")
    calls = forecast["mean"].to_numpy()
    needed = handlers_needed(calls, handling_seconds, standard.answer_within_seconds, standard.answer_share)
    return pd.DataFrame({
        "ds": forecast["ds"].to_numpy(), "calls": calls, "handlers": needed,
        "expected_share": answered_within(needed, calls, handling_seconds, standard.answer_within_seconds),
        "share_one_fewer": answered_within(needed - 1, calls, handling_seconds, standard.answer_within_seconds),
    })
