"""The truth: one row for every record written, kept apart from the extracts."""

from __future__ import annotations

import pandas as pd
from tests.demo.persons.reading import read_extract

from peel.demo.persons import CRIME_RECORDS, CUSTODY, INCIDENTS, INTELLIGENCE, SOURCES


def test_write_truth_gives_every_record_a_truth_row(population):
    out = population["dir"]
    truth = pd.read_parquet(out / "truth" / "person_records.parquet")
    id_columns = {
        CRIME_RECORDS: "NOMINAL_ID",
        CUSTODY: "CustodyNo",
        INTELLIGENCE: "subject_ref",
        INCIDENTS: "PERSON_REF",
    }
    keys = set()
    for system, column in id_columns.items():
        keys |= set(system + ":" + read_extract(out, system)[column])
    assert keys == set(truth["record_key"])
    assert truth["record_key"].is_unique and truth["true_person_id"].notna().all()
    # The truth is kept apart: no extract carries it.
    for system in SOURCES:
        assert not {"true_person_id", "record_key"} & set(read_extract(out, system).columns)
