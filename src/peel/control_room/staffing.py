"""Staffing the forecast: call handlers per hour for the 999 answer standard (Erlang C,
``erlang.py``), response officers per hour and district for the deployments forecast, and
the proposal a control-room manager decides on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from peel.control_room.erlang import answered_within, handlers_needed
from peel.control_room.standards import get_standards

# Mean handling time assumed when planning, seconds, if the caller gives none: measured from
# the calls themselves by ``mean_handling_seconds``.
JOB_MINUTES = 80  # officer time per deployment, dispatch to close
OFFICER_UTILISATION = 0.55  # the share of an officer's hour planned on deployments


def mean_handling_seconds(con, channel: str) -> float:
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


def plan_officers(deployments: pd.DataFrame) -> pd.DataFrame:
    """Response officers per hour and district from forecast deployments (unique_id
    '<grade>|<district>', ds, mean): enough that the planned share of their time on jobs is
    not exceeded, and at least one on duty."""
    frame = deployments.assign(district=deployments["unique_id"].str.split("|").str[1])
    load = frame.groupby(["district", "ds"])["mean"].sum() * JOB_MINUTES / 60 / OFFICER_UTILISATION
    return load.apply(lambda x: max(1, int(np.ceil(x)))).rename("officers").reset_index()
