"""The AI-oversight page and API: the register and the month's counts, for any role that reads
aggregates."""

from __future__ import annotations

from tests.web.conftest import client, get_username, sign_in, staff_casebook, web_settings  # noqa: F401


def test_show_oversight_lists_every_registered_algorithm(client):  # noqa: F811
    sign_in(client, get_username("pcc_scrutiny_officer"))
    page = client.get("/oversight?month=2026-03")
    assert page.status_code == 200
    assert "Record linkage of persons across systems" in page.text and "Intelligence packs on a subject" in page.text


def test_api_report_gives_counts_per_algorithm(client):  # noqa: F811
    sign_in(client, get_username("pcc_scrutiny_officer"))
    body = client.get("/api/oversight/report?month=2026-03").json()
    assert body["label"] == "March 2026"
    assert {a["name"] for a in body["algorithms"]} >= {"record-linkage", "intelligence-packs"}
    assert all(a["proposed"] == 0 for a in body["algorithms"])
