"""Hourly series across the clock changes: an hour that happens twice, one that never does."""

from datetime import date

from peel.control_room.demand import hourly_demand, local_hours


def test_local_hours_autumn_day_has_01_00_twice():
    hours = local_hours(date(2025, 10, 26), date(2025, 10, 27))
    assert len(hours) == 25
    assert list(hours["label"][1:3]) == ["2025-10-26 01:00 BST", "2025-10-26 01:00 GMT"]
    assert hours["ds"].is_unique


def test_local_hours_spring_day_has_no_01_00():
    hours = local_hours(date(2025, 3, 30), date(2025, 3, 31))
    assert len(hours) == 23
    assert list(hours["label"][:2]) == ["2025-03-30 00:00 GMT", "2025-03-30 02:00 BST"]
    assert not hours["label"].str.contains(" 01:").any()


def test_hourly_demand_keeps_both_01_00_hours_apart(control_room_demo):
    con = control_room_demo.con
    series = hourly_demand(con, date(2025, 10, 26), date(2025, 10, 27))
    assert series.groupby("unique_id").size().to_dict() == {"101": 25, "999": 25, "online": 25}
    total = con.execute("SELECT count(*) FROM cr_call WHERE timezone('Europe/London', received_at)::DATE "
                        "= DATE '2025-10-26'").fetchone()[0]
    assert series["y"].sum() == total
    # The two 01:00 hours are counted apart, each from its own calls.
    first, second = (con.execute(
        "SELECT count(*) FROM cr_call WHERE received_at >= ?::TIMESTAMPTZ "
        "AND received_at < ?::TIMESTAMPTZ + INTERVAL 1 HOUR", [t, t]).fetchone()[0]
        for t in ("2025-10-26 00:00:00+00", "2025-10-26 01:00:00+00"))
    by_hour = series.groupby("ds")["y"].sum()
    assert (by_hour.iloc[1], by_hour.iloc[2]) == (first, second)


def test_hourly_demand_by_district_names_each_series(control_room_demo):
    series = hourly_demand(control_room_demo.con, date(2025, 3, 30), date(2025, 3, 31), kind="grade",
                           by_district=True)
    assert series.groupby("unique_id").size().eq(23).all()
    assert series["unique_id"].str.fullmatch(r"(emergency|priority|scheduled|resolved)\|X07\d{6}").all()
