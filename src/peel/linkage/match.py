"""``peel link match``: which existing entities a new person record probably belongs to,
scored with the latest run's trained model, without re-running the linkage.

This is what later workflows call (firearms safeguarding, Clare's Law recognition,
intelligence packs): give it a record's details, get back candidate entities with their
probability. Candidates come from the same blocking rules as the full run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from peel.casebook import Domain, consultation
from peel.linkage import model as S
from peel.linkage.files import load_files
from peel.linkage.prepare import prepare_persons
from peel.linkage.resolve import Progress
from peel.linkage.warehouse_run import stored_linker
from peel.sources.mapped import read_mapping
from peel.warehouse import connect


def _prepare_new(work: duckdb.DuckDBPyConnection, records: pd.DataFrame | None,
                 files: list[Path] | None, mapping: Path | None) -> None:
    if files:
        if mapping is None:
            raise ValueError("A file of new records needs --mapping (see 'peel link file').")
        m = read_mapping(mapping)
        load_files(work, files, m, "peel_new_raw")
        prepare_persons(work, "peel_new_raw", "peel_new", date_formats=m.date_formats)
    else:
        work.register("peel_new_frame", records)
        work.execute("CREATE OR REPLACE TABLE peel_new_raw AS SELECT * FROM peel_new_frame")
        work.unregister("peel_new_frame")
        prepare_persons(work, "peel_new_raw", "peel_new")
    # New ids must not collide with warehouse record keys.
    work.execute("UPDATE peel_new SET unique_id = 'new:' || unique_id")


def match_records(
    username: str | None,
    records: pd.DataFrame | None = None,
    *,
    purpose: str | None,
    files: list[Path] | None = None,
    mapping: Path | None = None,
    threshold: float = S.MATCH_CANDIDATE_THRESHOLD,
    warehouse: Path | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Candidate entities for each new record, for ``username`` and ``purpose``.

    ``records`` has a column ``id`` (or ``unique_id``) and any person fields; or give
    ``files`` with a ``mapping``. Returns one row per (id, entity_id) with the best
    probability of any of the entity's records, ``records_compared`` and ``entity_records``,
    best first; a record with no candidate at or above ``threshold`` has no rows.

    A consultation of linked person records: needs a casebook user who may read them
    (``read_personal`` in ``linkage``) and a purpose, or it is refused (``CasebookError``) and
    the refusal logged, before anything is read. Each candidate entity returned is logged as
    a consultation (subject ``entity:ID``; one entry with no subject when there is none); the
    new records' own details are personal data, so they are not logged.
    """
    with consultation(username, domain=Domain.LINKAGE, object_type="linkage_match",
                      purpose=purpose) as shown:
        found = _match(records, files, mapping, threshold, warehouse, progress)
        shown.extend(sorted({f"entity:{e}" for e in found["entity_id"]}))
    return found


def _match(records: pd.DataFrame | None, files: list[Path] | None, mapping: Path | None,
           threshold: float, warehouse: Path | None, progress: Progress | None) -> pd.DataFrame:
    if records is not None:
        records = records.rename(columns={"id": "unique_id"})
        records["unique_id"] = records["unique_id"].astype(str)
    step = progress or (lambda _msg: None)
    step("normalising the new records")
    work = duckdb.connect()
    _prepare_new(work, records, files, mapping)
    wcon = connect(warehouse, read_only=True)
    try:
        step("reading and normalising the warehouse's person records")
        run, linker, register = stored_linker(wcon, work)
        entities = wcon.execute(
            "SELECT record_key AS unique_id_l, entity_id, count(*) OVER (PARTITION BY entity_id) "
            "AS entity_records FROM linkage_entity WHERE run_id = ?", [run]).df()
    finally:
        wcon.close()
    step("scoring against the existing entities")
    scored = linker.inference.predict_between(
        register("peel_existing"), register("peel_new"),
        threshold_match_probability=threshold, warning_mode="never",
    ).as_pandas_dataframe()
    work.close()
    if scored.empty:
        return pd.DataFrame(columns=["id", "entity_id", "match_probability", "records_compared",
                                     "entity_records"])
    scored = scored.merge(entities, on="unique_id_l")
    out = (scored.groupby(["unique_id_r", "entity_id", "entity_records"])
           .agg(match_probability=("match_probability", "max"),
                records_compared=("unique_id_l", "size"))
           .reset_index())
    out["id"] = out["unique_id_r"].str.removeprefix("new:")
    out = out.sort_values(["id", "match_probability"], ascending=[True, False])
    return out[["id", "entity_id", "match_probability", "records_compared", "entity_records"]] \
        .reset_index(drop=True)
