"""Recording public-confidence surveys (each question: respondents and how many agreed) and the
advisory and scrutiny groups' reviews (findings, the force's response, the next date), each
checked first (a refused record writes nothing) and each write logged.
"""

from __future__ import annotations

from datetime import date

import duckdb

from peel.lfr.register import REGISTER_SYSTEM, writing
from peel.lfr.rules import PlanError
from peel.warehouse import open_batch


def parse_results(lines: list[str], record: str) -> list[tuple[str, int, int]]:
    """A survey's results as written by hand, one question a line:
    ``QUESTION=RESPONDENTS/AGREEING`` (e.g. ``I support LFR=812/540``)."""
    results = []
    for text in (line.strip() for line in lines):
        if not text:
            continue
        question, _, counts = text.rpartition("=")
        respondents, _, agreeing = counts.replace(",", "").partition("/")
        if not question.strip() or not respondents.strip().isdigit() or not agreeing.strip().isdigit():
            raise PlanError(f"{record}: {text!r} should read QUESTION=RESPONDENTS/AGREEING, "
                            "e.g. 'I support LFR=812/540'.", "results")
        results.append((question.strip(), int(respondents), int(agreeing)))
    return results


def record_survey(con: duckdb.DuckDBPyConnection, username: str, survey_ref: str, fieldwork_start: date,
                  fieldwork_end: date, results: list[tuple[str, int, int]]) -> int:
    """Record a survey's results, (question, respondents, agreeing) each, replacing any earlier
    record of the same survey; the questions recorded."""
    record = f"Survey {survey_ref}"
    if fieldwork_end < fieldwork_start:
        raise PlanError(f"{record}: its fieldwork ends ({fieldwork_end}) before it starts ({fieldwork_start}).",
                        "fieldwork_end")
    if not results:
        raise PlanError(f"{record}: give at least one question with its respondents and answers.", "results")
    for question, respondents, agreeing in results:
        if respondents < 1 or not 0 <= agreeing <= respondents:
            raise PlanError(f"{record}, question {question!r}: {agreeing} agreeing of {respondents} respondents: "
                            "more answers than respondents (or none asked). Check the counts.", "results")
    with writing(username, survey_ref, f"Recording public-confidence survey {survey_ref}") as touched, \
            open_batch(con, REGISTER_SYSTEM) as batch:
        con.execute("DELETE FROM lfr_survey WHERE survey_ref = ?", [survey_ref])
        con.executemany(
            """INSERT INTO lfr_survey (survey_ref, source_system, source_record_id, batch_id, fieldwork_start,
                   fieldwork_end, question, respondents, agreeing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [[survey_ref, REGISTER_SYSTEM, f"{survey_ref}:{n}", batch.batch_id, fieldwork_start, fieldwork_end,
              question, respondents, agreeing] for n, (question, respondents, agreeing) in enumerate(results, 1)])
        batch.rows_read = batch.rows_loaded = len(results)
        batch.note = f"survey {survey_ref}"
        touched.update(survey=survey_ref, questions=len(results))
    return len(results)


def record_review(con: duckdb.DuckDBPyConnection, username: str, review_ref: str, group: str, day: date,
                  findings: str, response: str | None = None, next_review: date | None = None) -> None:
    """Record a group's review with its findings, the force's response and its next date."""
    record = f"Review {review_ref}"
    if not group.strip() or not findings.strip():
        raise PlanError(f"{record}: the group and its findings are required.", "group" if not group.strip() else "findings")
    if next_review is not None and next_review <= day:
        raise PlanError(f"{record}: the next review ({next_review}) must come after this one ({day}).", "next_review")
    with writing(username, review_ref, f"Recording the {group} review {review_ref}") as touched, \
            open_batch(con, REGISTER_SYSTEM) as batch:
        con.execute("DELETE FROM lfr_scrutiny WHERE review_ref = ?", [review_ref])
        con.execute(
            """INSERT INTO lfr_scrutiny (review_ref, source_system, source_record_id, batch_id, group_name,
                   review_date, findings, force_response, next_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [review_ref, REGISTER_SYSTEM, review_ref, batch.batch_id, group.strip(), day, findings.strip(),
             (response or "").strip() or None, next_review])
        batch.rows_read = batch.rows_loaded = 1
        batch.note = f"review {review_ref}"
        touched.update(review=review_ref)
