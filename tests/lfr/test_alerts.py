"""Alerts from the vendor's export through the declared mapping, all or nothing, and read back
with their subject only by a role that may, for a purpose, logged."""

import json
from datetime import UTC, datetime

import pytest
from tests.lfr.test_rules import make_plan

from peel.casebook import AccessRefused, PurposeRequired, db
from peel.casebook.models import AuditEntry
from peel.lfr.alerts import read_alert_subjects, record_alert
from peel.lfr.exports import load_results_export, load_vendor_export
from peel.lfr.register import authorise_deployment, confirm_deployment, plan_deployment
from peel.lfr.rules import PlanError
from peel.warehouse import connect

MAPPING = "src/peel/lfr/mappings/vendor_alerts.yaml"
HEADER = ("AlertID,DeploymentRef,AlertTime,OfficerDecision,Engaged,Outcome,Offence,WatchlistCategory,"
          "ObservedEthnicity,ObservedSex,AgeBand,WatchlistEntry\n")


@pytest.fixture
def deployed(staff, peel_home):
    con = connect()
    case_id = plan_deployment("planner", make_plan())  # 2 May 2026, 10:00 to 16:00 UK time
    authorise_deployment("supervisor", case_id, authorised=True, reason="Proportionate: footfall and warrants")
    ref = confirm_deployment(con, "planner", case_id, at=datetime(2026, 4, 1, tzinfo=UTC))
    yield con, ref
    con.close()


def write_export(folder, ref, *rows):
    path = folder / "export.csv"
    path.write_text(HEADER + "".join(row.format(ref=ref) + "\n" for row in rows), encoding="utf-8")
    return path


LOADING = "Loading the matcher's alerts of the deployment"
GOOD = "V1,{ref},2026-05-02 10:40,Match confirmed,yes,Arrested,Burglary,wanted on warrant,White,Male,25-34,WL-1"
FALSE = "V2,{ref},2026-05-02 12:05,Not a match,yes,No action,,wanted on warrant,Asian,Female,18-24,WL-2"


def test_load_vendor_export_maps_columns_and_codes_and_keeps_uk_time(deployed, tmp_path):
    con, ref = deployed
    assert load_vendor_export(con, "planner", write_export(tmp_path, ref, GOOD, FALSE), MAPPING, purpose=LOADING) == 2
    rows = con.execute("""SELECT source_record_id, alerted_at, adjudication, outcome, ethnicity
                          FROM lfr_alert ORDER BY 1""").fetchall()
    assert rows == [("V1", datetime(2026, 5, 2, 9, 40, tzinfo=UTC), "true", "arrest", "White"),
                    ("V2", datetime(2026, 5, 2, 11, 5, tzinfo=UTC), "false", "none", "Asian")]


def test_load_vendor_export_logs_the_collection_with_its_purpose(deployed, tmp_path):
    con, ref = deployed
    with db.transaction() as session:
        before = session.query(AuditEntry).count()
    with pytest.raises(PurposeRequired):
        load_vendor_export(con, "planner", write_export(tmp_path, ref, GOOD), MAPPING, purpose="")
    with pytest.raises(AccessRefused):  # the PCC's office may not collect
        load_vendor_export(con, "scrutiny", write_export(tmp_path, ref, GOOD), MAPPING, purpose=LOADING)
    assert con.execute("SELECT count(*) FROM lfr_alert").fetchone()[0] == 0
    load_vendor_export(con, "planner", write_export(tmp_path, ref, GOOD, FALSE), MAPPING, purpose=LOADING)
    with db.transaction() as session:
        logged = session.query(AuditEntry).order_by(AuditEntry.seq).all()[before:]
        collected = [e for e in logged if e.operation == "collection"]
        assert [(e.actor, e.object_type, e.purpose) for e in collected] == [("planner", "lfr_alert", LOADING)]
        detail = json.loads(collected[0].detail)
        assert detail["alerts"] == 2 and detail["file"].endswith("export.csv")


@pytest.mark.parametrize("bad, message", [
    ("V3,LFR-1999-X,2026-05-02 11:00,Match confirmed,yes,Arrested,,,,,,", "line 4 \\(alert V3\\): alert for an unknown deployment 'LFR-1999-X'"),
    ("V3,{ref},2026-05-02 18:00,Match confirmed,yes,Arrested,,,,,,", "line 4 \\(alert V3\\): raised at 02 May 2026 18:00, outside deployment"),
    ("V3,{ref},2026-05-02 11:00,Maybe,yes,Arrested,,,,,,", "line 4 \\(alert V3\\): adjudication 'maybe' is not one of true, false"),
    ("V3,{ref},2026-05-02 11:00,Match confirmed,yes,Arrested,,,Purple,,,", "line 4 \\(alert V3\\): ethnicity 'Purple'"),
])
def test_load_vendor_export_refuses_a_bad_row_naming_it_and_writes_nothing(deployed, tmp_path, bad, message):
    con, ref = deployed
    with pytest.raises(PlanError, match=message + ".*Nothing was loaded"):
        load_vendor_export(con, "planner", write_export(tmp_path, ref, GOOD, FALSE, bad), MAPPING, purpose=LOADING)
    assert con.execute("SELECT count(*) FROM lfr_alert").fetchone()[0] == 0


def test_record_alert_by_hand_is_checked_like_an_export(deployed):
    con, ref = deployed
    with pytest.raises(PlanError, match="Alert H1: a false alert cannot end in an arrest"):
        record_alert(con, "planner", "H1", {"deployment_ref": ref, "alerted_at": "2026-05-02 11:00",
                                            "adjudication": "false", "engaged": "yes", "outcome": "arrest"})
    record_alert(con, "planner", "H1", {"deployment_ref": ref, "alerted_at": "2026-05-02 11:00",
                                        "adjudication": "true", "engaged": "yes", "outcome": "other action"})
    assert con.execute("SELECT adjudication, ethnicity FROM lfr_alert").fetchall() == [("true", "Not stated")]


def test_read_alert_subjects_needs_the_role_and_a_purpose_and_logs_each_subject(deployed, tmp_path):
    con, ref = deployed
    load_vendor_export(con, "planner", write_export(tmp_path, ref, GOOD, FALSE), MAPPING, purpose=LOADING)
    with pytest.raises(AccessRefused):
        read_alert_subjects(lambda: con, "scrutiny", ref, "Checking the adjudications of the deployment")
    with pytest.raises(PurposeRequired):
        read_alert_subjects(lambda: con, "supervisor", ref, "")
    alerts = read_alert_subjects(lambda: con, "supervisor", ref, "Reviewing the adjudications of this deployment")
    assert [a.subject_ref for a in alerts] == ["WL-1", "WL-2"]
    with db.transaction() as session:
        logged = session.query(AuditEntry.actor, AuditEntry.subject_ref).filter(
            AuditEntry.object_type == "lfr_alert", AuditEntry.operation == "consultation").all()
    assert sorted(logged) == [("supervisor", "WL-1"), ("supervisor", "WL-2")]


def test_load_results_export_records_faces_seen_and_refuses_an_unknown_deployment(deployed, tmp_path):
    con, ref = deployed
    path = tmp_path / "summary.csv"
    path.write_text(f"SessionID,DeploymentRef,FacesProcessed\nS1,{ref},\"6,120\"\nS2,LFR-1999-X,10\n", encoding="utf-8")
    with pytest.raises(PlanError, match="line 3 \\(results S2\\): results for an unknown deployment 'LFR-1999-X'"):
        load_results_export(con, "planner", path, "src/peel/lfr/mappings/vendor_results.yaml")
    assert con.execute("SELECT faces_seen FROM lfr_deployment").fetchone()[0] is None
    path.write_text(f"SessionID,DeploymentRef,FacesProcessed\nS1,{ref},\"6,120\"\n", encoding="utf-8")
    assert load_results_export(con, "planner", path, "src/peel/lfr/mappings/vendor_results.yaml") == 1
    assert con.execute("SELECT faces_seen FROM lfr_deployment").fetchone()[0] == 6120
