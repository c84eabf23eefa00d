"""One small population for the persons tests, generated and loaded once for the package (the
generator is deterministic, so sharing it loses nothing), and its records beside the truth."""

from __future__ import annotations

import pandas as pd
import pytest

from peel.demo.persons import generate_person_population, load_person_extracts
from peel.warehouse import connect
from peel.warehouse.sql import quote_literal

N_RECORDS = 8000
SEED = 5


@pytest.fixture(scope="package")
def population(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("persons")
    summary = generate_person_population(N_RECORDS, SEED, out_dir)
    con = connect(out_dir / "warehouse.duckdb")
    loaded = load_person_extracts(con, out_dir)
    yield {"dir": out_dir, "summary": summary, "con": con, "loaded": loaded}
    con.close()


@pytest.fixture(scope="package")
def measured(population) -> pd.DataFrame:
    """Each loaded record beside the truth of who it is and what was true about them."""
    out = population["dir"] / "truth"
    records, persons, addresses = (
        quote_literal(out / f"{name}.parquet")
        for name in ("person_records", "persons", "addresses")
    )
    con = population["con"]
    return con.execute(
        f"""
        SELECT r.*, t.true_person_id, t.true_address_id, t.true_vrm, p.pnc_id AS true_pnc,
               p.forename AS true_forename, p.surname AS true_surname,
               p.date_of_birth::DATE AS true_dob, p.phone AS true_phone,
               a.postcode AS true_postcode, prev.postcode AS prev_postcode,
               a.address_seq AS true_address_seq
        FROM person_record r
        JOIN {records} t USING (record_key)
        JOIN {persons} p USING (true_person_id)
        LEFT JOIN {addresses} a
               ON a.true_person_id = t.true_person_id
              AND (a.valid_from IS NULL OR a.valid_from <= r.recorded_date)
              AND (a.valid_to IS NULL OR a.valid_to > r.recorded_date)
        LEFT JOIN {addresses} prev
               ON prev.true_person_id = t.true_person_id AND prev.address_seq = 1
              AND a.address_seq = 2
        """
    ).df()
