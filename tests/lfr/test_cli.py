"""peel lfr from planning to the report, as an operator and a supervisor would run it."""

from typer.testing import CliRunner

from peel.cli import app

PLAN = ["lfr", "plan", "--location", "Chalk Town high street", "--reason", "footfall",
        "--start", "2027-05-02 10:00", "--end", "2027-05-02 16:00", "--aim", "Locate wanted people",
        "--authorising-officer", "Supt Reid", "--rank", "Superintendent", "--watchlist-size", "2500",
        "--category", "wanted on warrant", "--threshold", "0.64"]


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_lfr_commands_plan_authorise_confirm_record_and_report(staff, log_in, tmp_path):
    log_in("planner")
    planned = run(*PLAN)
    assert planned.exit_code == 0, planned.output
    assert "Planned as case 1" in planned.output
    refused = run("lfr", "confirm", "1")
    assert refused.exit_code == 2 and "has not been authorised" in refused.output
    log_in("supervisor")
    assert run("lfr", "authorise", "1", "--reason", "Proportionate at this site", "--as", "supervisor").exit_code == 0
    confirmed = run("lfr", "confirm", "1", "--as", "planner")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Confirmed and published as LFR-2027-C1" in confirmed.output
    assert run("lfr", "results", "LFR-2027-C1", "--faces-seen", "5400", "--as", "planner").exit_code == 0
    alert = run("lfr", "alert", "LFR-2027-C1", "--alert-id", "7", "--at", "2027-05-02 11:15", "--adjudication",
                "true", "--engaged", "--outcome", "arrest", "--offence", "Burglary", "--as", "planner")
    assert alert.exit_code == 0, alert.output
    report = run("lfr", "report", "--month", "2027-05")
    assert report.exit_code == 0, report.output
    assert "Arrests: 1; deployments: 1; faces seen: 5,400; alerts: 1" in report.output
    assert "0 false alerts in 1 alerts: not a rate of 0%, but a rate below 95.0% (95% upper bound)" in report.output
    assert "LFR-2027-C1 lacks watchlist destroyed and non-matched data deleted" in report.output


def test_lfr_plan_refuses_an_end_before_the_start_with_the_reason(staff, log_in):
    log_in("planner")
    result = run(*[("2027-05-02 09:00" if a == "2027-05-02 16:00" else a) for a in PLAN])
    assert result.exit_code == 1
    assert "it ends (02 May 2027 09:00) before it starts (02 May 2027 10:00)" in result.output
