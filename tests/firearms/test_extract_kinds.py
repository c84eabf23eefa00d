"""Stage-event, mailbox and action-plan extracts through the example mappings
(src/peel/firearms/mappings): a good extract loads and the backlog's figures read it back as an
independent count of the extract's rows says; a bad row refuses the file, naming its line, and
nothing is written."""

import csv
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from peel.firearms import backlog
from peel.firearms.extract import load_extract
from peel.firearms.rules import STAGES
from peel.sources.mapped.batch import ExtractRefused

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "firearms" / "mappings"
AS_OF = date(2026, 3, 11)
APPLICATIONS_MAPPING = """source_system: licensing
record_id: AppNo
date_formats: ["%d/%m/%Y"]
application:
  holder_ref: Holder
  kind: Kind
  certificate_kind: Certificate
  received_date: Received
  due_date: Due
  outcome: Outcome
  decided_date: Decided
"""
APPLICATIONS = ("AppNo,Holder,Kind,Certificate,Received,Due,Outcome,Decided\n"
                "A1,H1,renewal,firearm,05/01/2026,01/03/2026,,\n"
                "A2,H1,renewal,shotgun,12/01/2026,15/04/2026,granted,20/02/2026\n"
                "A3,H1,grant,firearm,06/01/2026,,,\n")
# The example stage mapping translates the system's codes: written -> the rules' stage.
CODES = {"Received": "received", "Enquiries": "checks", "GP letter": "medical", "Home visit": "home_visit",
         "Decision": "decision"}
STAGE_HEADER = "ApplicationNo,Stage,Date,Officer\n"
GOOD_STAGES = ("A1,Received,05/01/2026,FLO01\nA1,Enquiries,14/01/2026,FLO02\nA1,GP letter,03/02/2026,FLO02\n"
               "A2,Received,12/01/2026,FLO03\nA2,Enquiries,19/01/2026,FLO03\nA2,GP letter,26/01/2026,FLO03\n"
               "A2,Home visit,16/02/2026,FLO04\nA2,Decision,20/02/2026,FLO04\n"
               "A3,Received,06/01/2026,FLO01\nA3,Enquiries,13/01/2026,FLO01\n")


@pytest.fixture
def register(holder_h1, tmp_path):
    """A warehouse with holder H1 and applications A1, A2 (renewals) and A3 (a grant)."""
    (tmp_path / "apps.csv").write_text(APPLICATIONS)
    (tmp_path / "apps.yaml").write_text(APPLICATIONS_MAPPING)
    assert load_extract(holder_h1, tmp_path / "apps.csv", tmp_path / "apps.yaml", "application") == 3
    return holder_h1


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(text.splitlines()))


def _day(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _load(con, folder: Path, name: str, text: str, mapping: str, kind: str) -> int:
    (folder / name).write_text(text)
    return load_extract(con, folder / name, MAPPINGS / mapping, kind)


def _refusal(con, folder: Path, name: str, text: str, mapping: str, kind: str) -> str:
    with pytest.raises(ExtractRefused) as refused:
        _load(con, folder, name, text, mapping, kind)
    return " ".join(str(refused.value).split())


def test_stage_extract_loads_and_throughput_counts_it(register, tmp_path):
    assert _load(register, tmp_path, "stages.csv", STAGE_HEADER + GOOD_STAGES, "licensing_stages.yaml", "stage") == 10
    stored = register.execute("SELECT application_ref, stage, event_date, officer FROM firearms_stage_event "
                              "ORDER BY ALL").fetchall()
    rows = _rows(STAGE_HEADER + GOOD_STAGES)
    assert stored == sorted((r["ApplicationNo"], CODES[r["Stage"]], _day(r["Date"]), r["Officer"]) for r in rows)
    # Throughput counts renewals' stages by the week (from Monday) they were done in: A3 is a grant.
    renewals = {line.split(",")[0] for line in APPLICATIONS.splitlines()[1:] if ",renewal," in line}
    counted = Counter((_day(r["Date"]) - timedelta(days=_day(r["Date"]).weekday()), CODES[r["Stage"]])
                      for r in rows if r["ApplicationNo"] in renewals)
    weeks = backlog.throughput(register, AS_OF)
    assert {(w["week"], s): w[s] for w in weeks for s in STAGES if w[s]} == dict(counted)
    assert sum(counted.values()) == 8
    # Loading an application's stages again replaces them: A1's three become two, A2's stay.
    again = "A1,Received,05/01/2026,FLO01\nA1,Enquiries,15/01/2026,FLO05\n"
    assert _load(register, tmp_path, "stages.csv", STAGE_HEADER + again, "licensing_stages.yaml", "stage") == 2
    assert register.execute("SELECT application_ref, count(*) FROM firearms_stage_event GROUP BY 1 ORDER BY 1"
                            ).fetchall() == [("A1", 2), ("A2", 5), ("A3", 2)]


def test_stage_extract_bad_rows_refused_by_line_and_nothing_written(register, tmp_path):
    bad = STAGE_HEADER + ("A1,Received,05/01/2026,FLO01\n"      # 2: good
                          "A1,Interview,10/01/2026,FLO01\n"     # 3: a stage the rules do not know
                          "A1,Enquiries,31/02/2026,FLO02\n"     # 4: no 31 February
                          "A2,Received,01/01/2026,FLO03\n"      # 5: before A2 was received (12/01)
                          "A9,Received,05/01/2026,FLO01\n"      # 6: not on the register
                          "A1,Home visit,01/02/2026,FLO02\n"    # 7: before the GP letter on line 8
                          "A1,GP letter,03/02/2026,FLO02\n"     # 8: good
                          "A1,Received,06/01/2026,FLO01\n")     # 9: A1's received stage again
    message = _refusal(register, tmp_path, "stages.csv", bad, "licensing_stages.yaml", "stage")
    assert "stages.csv: 6 bad row(s); nothing was written" in message
    assert ("stages.csv, line 3: stage (Stage) needs one of the codes the mapping's values translate: Received, "
            "Enquiries, GP letter, Home visit, Decision") in message
    assert "stages.csv, line 4: event_date (Date) needs a date in the formats %d/%m/%Y, %Y-%m-%d, and a real day" in message
    assert "stages.csv, line 5: the stage is dated before the application was received" in message
    assert "stages.csv, line 6: unknown application: load the register's applications first" in message
    assert "stages.csv, line 7: the stage is dated before an earlier stage of the application" in message
    assert "stages.csv, line 9: the same application_ref and stage as an earlier row" in message
    assert "line 2:" not in message and "line 8:" not in message
    assert register.execute("SELECT count(*) FROM firearms_stage_event").fetchone()[0] == 0


def test_stage_without_a_code_map_must_be_one_of_the_rules_stages(register, tmp_path):
    plain = (MAPPINGS / "licensing_stages.yaml").read_text().split("values:")[0]
    (tmp_path / "plain.yaml").write_text(plain)
    (tmp_path / "stages.csv").write_text(STAGE_HEADER + "A1,received,05/01/2026,FLO01\nA1,interview,06/01/2026,FLO01\n")
    with pytest.raises(ExtractRefused) as refused:
        load_extract(register, tmp_path / "stages.csv", tmp_path / "plain.yaml", "stage")
    assert ("stages.csv, line 3: stage must be one of received, checks, medical, home_visit, decision"
            in " ".join(str(refused.value).split()))
    assert register.execute("SELECT count(*) FROM firearms_stage_event").fetchone()[0] == 0


MAIL_HEADER = "MessageId,Received,Cleared,Category\n"
GOOD_MAIL = ("M1,02/03/2025,05/03/2025,referee\nM2,10/12/2025,,renewal enquiry\n"
             "M3,20/02/2026,12/03/2026,medical information\nM4,01/03/2026,02/03/2026,other\n"
             "M5,15/03/2024,01/04/2024,complaint\nM6,09/03/2026,,change of address\n")


def test_mailbox_extract_loads_and_the_inbox_counts_it(register, tmp_path):
    assert _load(register, tmp_path, "mail.csv", MAIL_HEADER + GOOD_MAIL, "licensing_mailbox.yaml", "mail") == 6
    mail = [(_day(r["Received"]), _day(r["Cleared"])) for r in _rows(MAIL_HEADER + GOOD_MAIL)]

    def waiting_on(day: date) -> list[date]:
        return [got for got, cleared in mail if got <= day and (cleared is None or cleared > day)]

    week_ends = [AS_OF - timedelta(weeks=52) + timedelta(days=7 * k) for k in range(53)]
    peak = max(len(waiting_on(w)) for w in week_ends)
    year_back = AS_OF - timedelta(days=365)
    inbox = backlog.inbox(register, AS_OF)
    assert inbox["waiting"] == backlog.measure(register, "inbox_waiting", AS_OF) == len(waiting_on(AS_OF)) == 3
    assert inbox["oldest_waiting"] == min(waiting_on(AS_OF))
    assert inbox["peak"] == peak
    assert inbox["received_last_year"] == sum(1 for got, _ in mail if year_back < got <= AS_OF)


def test_mailbox_extract_bad_rows_refused_by_line_and_nothing_written(register, tmp_path):
    bad = MAIL_HEADER + GOOD_MAIL + ("M7,10/03/2026,09/03/2026,other\n"   # 8: cleared before it came
                                     "M8,10/03/2026,30/02/2026,other\n"   # 9: no 30 February
                                     "M9,,01/03/2026,other\n"             # 10: no day received
                                     "M1,01/03/2026,,other\n")            # 11: M1 again
    message = _refusal(register, tmp_path, "mail.csv", bad, "licensing_mailbox.yaml", "mail")
    assert "mail.csv, line 8: it is cleared before it was received" in message
    assert "mail.csv, line 9: cleared_date (Cleared) needs a date in the formats" in message
    assert "mail.csv, line 10: received_date (Received) needs a date in the formats" in message
    assert "mail.csv, line 11: the same message_ref as an earlier row" in message
    assert "mail.csv: 4 bad row(s); nothing was written" in message
    assert register.execute("SELECT count(*) FROM firearms_mail").fetchone()[0] == 0


PLAN_HEADER = "PolicyNo,Policy,Recommendation,Status,Owner,Evidence,Assessed\n"
GOOD_PLAN = ("P1,Renewals triage,Prioritise the oldest renewals,Assessed,Licensing Manager,Dip sample,10/02/2026\n"
             "P2,Correspondence,Answer emails within five working days,Developed,Head of Firearms Licensing,,\n"
             "P3,Medical evidence,Chase GP replies after 21 days,Draft,Licensing Manager,,\n"
             "P4,Home visits,Visit within 4 weeks of checks,Assessed,\"Detective Inspector, Firearms\",Audit,15/03/2026\n"
             "P5,Temporary permits,Issue s7 permits before lapse,Assessed,Licensing Manager,Case review,01/03/2026\n")


def test_action_plan_extract_loads_and_the_plan_counts_it(register, tmp_path):
    assert _load(register, tmp_path, "plan.csv", PLAN_HEADER + GOOD_PLAN, "licensing_action_plan.yaml", "policy") == 5
    rows = _rows(PLAN_HEADER + GOOD_PLAN)
    status = {r["PolicyNo"]: r["Status"].lower() for r in rows}  # the example maps Assessed -> assessed...
    figures = backlog.policies(register, AS_OF)
    assert figures["by_status"] == dict(Counter(status.values()))
    assert figures["total"] == len(rows)
    # Assessed by the day counted to: P4's assessment (15 March) comes after it.
    assessed = sum(1 for r in rows if status[r["PolicyNo"]] == "assessed" and _day(r["Assessed"]) <= AS_OF)
    assert figures["assessed"] == backlog.measure(register, "policies_assessed", AS_OF) == assessed == 2
    plan = backlog.action_plan(register)
    assert [(p["policy_ref"], p["status"], p["owner"], p["evidence"]) for p in plan] == [
        (r["PolicyNo"], status[r["PolicyNo"]], r["Owner"], r["Evidence"] or None) for r in rows]


def test_action_plan_extract_bad_rows_refused_by_line_and_nothing_written(register, tmp_path):
    bad = PLAN_HEADER + GOOD_PLAN + ("P6,Storage,Check storage,Done,Licensing Manager,,\n"              # 7
                                     "P7,Storage,Check storage,Assessed,Licensing Manager,,01/03/2026\n"  # 8
                                     "P8,Storage,Check storage,Assessed,Licensing Manager,Audit,\n"       # 9
                                     "P9,Storage,Check storage,Draft,,,\n")                               # 10
    message = _refusal(register, tmp_path, "plan.csv", bad, "licensing_action_plan.yaml", "policy")
    assert ("plan.csv, line 7: status (Status) needs one of the codes the mapping's values translate: Draft, "
            "Developed, Assessed") in message
    assert "plan.csv, line 8: an assessed policy needs its evidence (evidence)" in message
    assert "plan.csv, line 9: an assessed policy needs the day it was assessed (assessed_date)" in message
    assert "plan.csv, line 10: owner (Owner) needs a value" in message
    assert register.execute("SELECT count(*) FROM firearms_policy").fetchone()[0] == 0


def test_mailbox_extract_as_parquet_with_date_columns_loads_the_same(register, tmp_path):
    rows = _rows(MAIL_HEADER + GOOD_MAIL)
    frame = pd.DataFrame({"MessageId": [r["MessageId"] for r in rows],
                          "Received": [_day(r["Received"]) for r in rows],
                          "Cleared": [_day(r["Cleared"]) for r in rows],
                          "Category": [r["Category"] for r in rows]})
    frame.to_parquet(tmp_path / "mail.parquet", index=False)
    assert load_extract(register, tmp_path / "mail.parquet", MAPPINGS / "licensing_mailbox.yaml", "mail") == 6
    stored = register.execute("SELECT message_ref, received_date, cleared_date FROM firearms_mail ORDER BY 1").fetchall()
    assert stored == [(r["MessageId"], _day(r["Received"]), _day(r["Cleared"])) for r in rows]
