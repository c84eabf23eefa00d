"""Surveys and reviews recorded by hand: checked first, nothing written when refused."""

from datetime import date

import pytest

from peel.lfr.figures import get_next_reviews, get_next_survey_due, get_surveys
from peel.lfr.rules import PlanError
from peel.lfr.scrutiny import record_review, record_survey
from peel.warehouse import connect


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()


def test_record_survey_refuses_more_answers_than_respondents_naming_it_and_writes_nothing(staff, con):
    with pytest.raises(PlanError, match="Survey S9, question 'Trust': 700 agreeing of 650 respondents"):
        record_survey(con, "planner", "S9", date(2026, 2, 1), date(2026, 2, 20),
                      [("Support", 650, 400), ("Trust", 650, 700)])
    assert con.execute("SELECT count(*) FROM lfr_survey").fetchone()[0] == 0


def test_record_survey_gives_the_trend_and_the_next_due_date(staff, con):
    record_survey(con, "planner", "S1", date(2025, 8, 1), date(2025, 8, 20), [("Support", 1000, 600)])
    record_survey(con, "planner", "S2", date(2026, 2, 1), date(2026, 2, 20), [("Support", 1000, 680)])
    first, second = get_surveys(con, date(2026, 3, 1))
    assert (first.change, round(second.change, 2), second.change_is_clear) == (None, 0.08, True)
    assert get_next_survey_due(con, date(2026, 3, 1)) == (date(2026, 8, 20), False)
    assert get_next_survey_due(con, date(2026, 7, 25)) == (date(2026, 8, 20), True)  # the reminder


def test_record_review_keeps_the_next_date_and_refuses_one_before_it(staff, con):
    with pytest.raises(PlanError, match="Review R1: the next review"):
        record_review(con, "planner", "R1", "Race Inclusion Board", date(2026, 3, 1), "No concerns", None,
                      date(2026, 2, 1))
    record_review(con, "planner", "R1", "Race Inclusion Board", date(2026, 3, 1), "Asked for fairness figures",
                  "Added to the quarterly report", date(2026, 7, 1))
    assert get_next_reviews(con, date(2026, 3, 2)) == {"Race Inclusion Board": date(2026, 7, 1)}
