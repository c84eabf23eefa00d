"""Before any data is loaded, every page that opens the warehouse itself says so, through
``peel.web.warehouse.open_published``: a 503 page (or JSON) saying no data is loaded yet."""

from __future__ import annotations

from peel.web.warehouse import NO_DATA

from .conftest import get_username, sign_in

# Each route that opens the published snapshot itself, as its page or API asks for it.
OPENING_THE_WAREHOUSE = [
    "/crime", "/crime/overview", "/crime/map", "/crime/daily", "/api/crime/measures", "/api/crime/daily",
    "/control-room", "/control-room/forecast", "/api/control-room/summary", "/api/control-room/roster",
    "/lfr", "/lfr/deployments/LFR-2026-01", "/api/lfr/figures",
    "/workforce", "/workforce/sickness?staff_number=100001&purpose=checking+the+spells+before+a+meeting",
    "/api/workforce",
    "/dvds/figures", "/api/dvds/figures",
    "/pack/download?month=2026-03",
]


def test_open_published_answers_no_data_on_every_route_before_any_data(client):
    sign_in(client, get_username("supervisor"))  # reads every one of these domains
    answers = {path: client.get(path) for path in OPENING_THE_WAREHOUSE}
    assert {path: answer.status_code for path, answer in answers.items()} == \
        dict.fromkeys(OPENING_THE_WAREHOUSE, 503)
    shown = NO_DATA.replace("'", "&#39;")  # as a page escapes it; the JSON API gives it as it is
    assert [path for path, answer in answers.items() if NO_DATA not in answer.text and shown not in answer.text] == []
