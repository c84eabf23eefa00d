"""``peel link`` on the warehouse: resolve every loaded source's person records into entities,
keep entity ids stable across runs, and write entities, scored pairs and the links from
entities to addresses, vehicles, events and each other, all in one transaction.

Addresses and vehicles are resolved by their normalised keys (postcode and house number;
registration mark upper case without spaces), which the sources already link to records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from splink import Linker

from peel.casebook import PURPOSE, Action, Domain, Operation, Request, processing
from peel.linkage import model as S
from peel.linkage.engine import make_engine
from peel.linkage.evaluate import Evaluation, evaluate_clusters
from peel.linkage.frequency import adjusted_columns
from peel.linkage.prepare import normalise_registration_sql, prepare_persons
from peel.linkage.resolve import (
    LinkResult,
    Progress,
    collapse_identical,
    register_frequency_lookups,
    resolve,
)
from peel.settings import get_settings
from peel.warehouse import connect, open_writer
from peel.warehouse.lookups import drop_lookup_indexes

# person_record column -> the person field prepare.py expects.
PERSON_RECORD_FIELDS = {
    "forename": "forename",
    "surname": "surname",
    "full_name": "full_name_raw",
    "date_of_birth": "date_of_birth",
    "sex": "sex",
    "postcode": "postcode",
    "house_number": "house_number",
    "street": "street",
    "town": "town",
    "email": "email",
    "phone": "phone",
    "pnc_id": "pnc_id",
}

ADDRESS_KEY_SQL = "upper(regexp_replace(trim({x}), '\\s+', ' ', 'g'))"


def read_person_records(wcon: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                        table: str = "peel_raw", keys: list[str] | None = None) -> int:
    """Copy the warehouse's person records (all, or those with ``keys``) into the working
    database as raw person fields."""
    cols = ", ".join(f"{src} AS {field}" for field, src in PERSON_RECORD_FIELDS.items())
    where, params = ("WHERE record_key IN (SELECT unnest(?))", [keys]) if keys else ("", [])
    frame = wcon.sql(
        f"SELECT record_key AS unique_id, {cols} FROM person_record {where}", params=params
    ).to_arrow_table()
    work.register("peel_person_arrow", frame)
    work.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM peel_person_arrow")
    work.unregister("peel_person_arrow")
    return work.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def read_decisions(wcon: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Human review decisions, as pairs of record keys."""
    return wcon.execute(
        "SELECT record_key_l AS unique_id_l, record_key_r AS unique_id_r, decision "
        "FROM linkage_review_decision"
    ).df()


def latest_run_id(wcon: duckdb.DuckDBPyConnection) -> int | None:
    """The newest linkage run, or None before the first."""
    return wcon.execute("SELECT max(run_id) FROM linkage_run").fetchall()[0][0]


class NoLinkageRun(ValueError):
    """Nothing to review or explain yet: the warehouse holds no linkage run."""


def require_latest_run(wcon: duckdb.DuckDBPyConnection) -> int:
    """The newest linkage run; a clear error when there is none yet."""
    run = latest_run_id(wcon)
    if run is None:
        raise NoLinkageRun("No linkage run in the warehouse yet: run 'peel link' first.")
    return run


def read_latest_model(wcon: duckdb.DuckDBPyConnection) -> tuple[int, dict]:
    """The newest run's id and trained model; a clear error when there is none."""
    run = require_latest_run(wcon)
    model = wcon.execute("SELECT model_json FROM linkage_run WHERE run_id = ?", [run]).fetchall()
    return run, json.loads(model[0][0])


def stored_linker(wcon: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                  keys: list[str] | None = None) -> tuple[int, Linker, Callable]:
    """The latest run's trained model, ready to score records without re-running the linkage.

    Reads the warehouse's person records (all, or those with ``keys``) into ``work``, prepared
    as ``peel_existing``. Returns the run id, a Splink linker over them, and the function that
    hands a table of ``work`` to Splink. Always DuckDB: it scores a handful of records.
    """
    run, model = read_latest_model(wcon)
    read_person_records(wcon, work, keys=keys)
    prepare_persons(work, "peel_raw", "peel_existing")
    settings = {k: v for k, v in model.items() if not k.startswith("peel_")}
    # Explanations read each comparison's level and weight from the scored pairs.
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = False
    _db_api, register = make_engine("duckdb", work)
    linker = Linker(register("peel_existing"), settings, log_level=None)
    register_frequencies(wcon, work, linker, model, all_prepared=keys is None)
    return run, linker, register


def register_frequencies(wcon: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
                         linker: Linker, model: dict, *, all_prepared: bool) -> None:
    """Give ``linker`` the term frequencies the run scored with: each value's share among
    the distinct records of the whole warehouse (frequency.py, as the run computed them), so that scoring a
    few records weighs a common name as the run did. ``all_prepared``: ``peel_existing``
    already holds every record; otherwise they are read and prepared here."""
    if not adjusted_columns(model):
        return
    table = "peel_existing"
    if not all_prepared:
        read_person_records(wcon, work, table="peel_all_raw")
        prepare_persons(work, "peel_all_raw", "peel_all")
        table = "peel_all"
    compared = list(model.get("peel_fields", [])) + list(model.get("peel_exact_columns", []))
    collapse_identical(work, table, compared)
    register_frequency_lookups(linker, work, "peel_distinct", linker._db_api.register)


def assign_stable_ids(wcon: duckdb.DuckDBPyConnection, clusters: pd.DataFrame) -> pd.Series:
    """Map each new cluster to an entity id, reusing the previous run's ids.

    A cluster takes the id of the previous entity holding most of its records, unless that
    entity is claimed by a cluster holding more of them; otherwise a fresh id. So a new
    record joins its existing entity, and no entity is renumbered.
    """
    previous = latest_run_id(wcon)
    mapping = pd.Series(dtype="int64")
    if previous is not None:
        prev = wcon.execute(
            "SELECT record_key AS unique_id, entity_id FROM linkage_entity WHERE run_id = ?",
            [previous],
        ).df()
        overlap = (
            clusters.merge(prev, on="unique_id")
            .groupby(["cluster_id", "entity_id"]).size().rename("n").reset_index()
            .sort_values(["n", "entity_id"], ascending=[False, True])
        )
        overlap = overlap.drop_duplicates("cluster_id").drop_duplicates("entity_id")
        mapping = overlap.set_index("cluster_id")["entity_id"]
    fresh = sorted(set(clusters.cluster_id) - set(mapping.index))
    if fresh:
        ids = [r[0] for r in wcon.execute(
            "SELECT nextval('linkage_entity_seq') FROM range(?)", [len(fresh)]).fetchall()]
        mapping = pd.concat([mapping, pd.Series(ids, index=fresh)])
    return clusters.cluster_id.map(mapping).astype("int64")


def write_run(wcon: duckdb.DuckDBPyConnection, work: duckdb.DuckDBPyConnection,
              result: LinkResult, backend: str, started: datetime, n_decisions: int) -> int:
    """Write one run's entities, pairs and links in a single transaction; return its id."""
    drop_lookup_indexes(wcon, "linkage_entity", "linkage_pair")
    wcon.execute("BEGIN TRANSACTION")
    try:
        run_id = wcon.execute("SELECT nextval('linkage_run_seq')").fetchall()[0][0]
        entities = result.clusters.copy()
        entities["entity_id"] = assign_stable_ids(wcon, entities)
        notes = work.execute(
            "SELECT unique_id, nullif(prepare_note, '') AS note FROM peel_prepared"
        ).df()
        entities = entities.merge(notes, on="unique_id", how="left")
        wcon.register("peel_entities", entities)
        wcon.execute(
            "INSERT INTO linkage_entity SELECT ?, unique_id, entity_id, link_probability, note "
            "FROM peel_entities", [run_id])
        wcon.unregister("peel_entities")
        wcon.register("peel_pairs", result.pairs)
        wcon.execute(
            "INSERT INTO linkage_pair SELECT ?, unique_id_l, unique_id_r, match_weight, "
            "match_probability, decision FROM peel_pairs", [run_id])
        wcon.unregister("peel_pairs")
        write_links(wcon, run_id)
        latest_batch = wcon.execute("SELECT max(batch_id) FROM ingest_batch").fetchall()[0][0]
        wcon.execute(
            "INSERT INTO linkage_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, started, datetime.now(UTC), backend, len(entities),
             int(entities.entity_id.nunique()), len(result.pairs), S.MATCH_THRESHOLD,
             result.prior, n_decisions, json.dumps(result.model), latest_batch,
             "; ".join(result.notes) or None],
        )
        wcon.execute("COMMIT")
    except BaseException:
        wcon.execute("ROLLBACK")
        raise
    return run_id


def write_links(wcon: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """Derive entity -> address / vehicle / event links and entity associations for a run."""
    address_key = ADDRESS_KEY_SQL.format(x="l.to_key")
    vehicle_key = "'vehicle:' || " + normalise_registration_sql("o.identifier")
    wcon.execute(
        f"""INSERT INTO linkage_object_key
        SELECT DISTINCT ?, 'address', l.to_key, {address_key} FROM pole_link l
        WHERE l.to_kind = 'address'
        UNION ALL
        SELECT DISTINCT ?, 'vehicle', o.object_key, {vehicle_key}
        FROM (SELECT DISTINCT object_key, identifier FROM object WHERE kind = 'vehicle') o""",
        [run_id, run_id],
    )
    wcon.execute(
        """INSERT INTO linkage_entity_link
        SELECT ?, e.entity_id, l.link_type,
               CASE WHEN l.to_kind = 'object' THEN coalesce(o.kind, 'object') ELSE l.to_kind END,
               coalesce(k.resolved_key, l.to_key),
               min(coalesce(l.valid_from, p.recorded_date)),
               max(coalesce(l.valid_to, l.valid_from, p.recorded_date)),
               count(*), string_agg(DISTINCT l.source_system, ', ' ORDER BY l.source_system)
        FROM pole_link l
        JOIN linkage_entity e ON e.run_id = ? AND e.record_key = l.from_key
        LEFT JOIN person_record p ON p.record_key = l.from_key
        LEFT JOIN (SELECT DISTINCT object_key, kind FROM object) o
               ON l.to_kind = 'object' AND o.object_key = l.to_key
        LEFT JOIN linkage_object_key k ON k.run_id = ? AND k.source_key = l.to_key
               AND k.kind = CASE WHEN l.to_kind = 'object' THEN o.kind ELSE l.to_kind END
        WHERE l.from_kind = 'person_record'
        GROUP BY ALL""",
        [run_id, run_id, run_id],
    )
    wcon.execute(
        """INSERT INTO linkage_association
        WITH involved AS (
            SELECT DISTINCT entity_id, to_key AS event_key FROM linkage_entity_link
            WHERE run_id = ? AND to_kind IN ('crime', 'arrest', 'event'))
        SELECT ?, a.entity_id, b.entity_id, count(*), list(a.event_key ORDER BY a.event_key)
        FROM involved a JOIN involved b ON a.event_key = b.event_key AND a.entity_id < b.entity_id
        GROUP BY a.entity_id, b.entity_id""",
        [run_id, run_id],
    )


def link_warehouse(backend: str | None = None, progress: Progress | None = None,
                   warehouse: Path | None = None) -> dict:
    """Resolve the warehouse's person records into entities and record the run."""
    step = progress or (lambda _msg: None)
    backend = backend or get_settings().linkage_backend
    started = datetime.now(UTC)
    with open_writer(warehouse) as wcon, duckdb.connect() as work:
        step("reading person records")
        n = read_person_records(wcon, work)
        if n == 0:
            raise ValueError(
                "The warehouse has no person records to link. Load some first: 'peel demo-data' "
                "or a force extract."
            )
        step("normalising names, dates, postcodes, phones")
        fields = prepare_persons(work, "peel_raw", "peel_prepared")
        decisions = read_decisions(wcon)
        result = resolve(work, "peel_prepared", fields, backend=backend, decisions=decisions,
                         progress=progress)
        step("writing entities, pairs and links")
        run_id = write_run(wcon, work, result, backend, started, len(decisions))
        names = ("run_id", "records", "entities", "scored_pairs", "prior", "review_decisions")
        row = wcon.execute(f"SELECT {', '.join(names)} FROM linkage_run WHERE run_id = ?",
                           [run_id]).fetchall()[0]
    # The blocking rules and their counts are also kept in the run's model (peel_blocking).
    return {**dict(zip(names, row)), "blocking": [r.as_dict() for r in result.blocking],
            "notes": list(result.notes)}


def combine_warehouse(acting: str | None, *, purpose: str | None, **options) -> dict:
    """``link_warehouse`` as the combination of personal data it is (DPA 2018 s62): refused,
    and logged, unless ``acting`` may combine linkage records and says why; the run logged."""
    request = Request(Action.COMBINE, "linkage_run", domain=Domain.LINKAGE, purpose=purpose, must_state=PURPOSE)
    with processing(acting, request, Operation.COMBINATION) as touched:
        summary = link_warehouse(**options)
        touched.update({key: summary[key] for key in ("run_id", "records", "entities")})
    return summary


def evaluate_demo(truth: Path | None = None, warehouse: Path | None = None) -> Evaluation:
    """Score the latest warehouse run against the demo force's truth (record_key -> person)."""
    truth = truth or get_settings().demo_dir / "truth" / "person_records.parquet"
    if not Path(truth).exists():
        raise FileNotFoundError(
            f"No demo truth at {truth}. Run 'peel demo-data' (which writes it) or give the file."
        )
    wcon = connect(warehouse, read_only=True)
    try:
        run = require_latest_run(wcon)
        entities = wcon.execute(
            "SELECT record_key, entity_id FROM linkage_entity WHERE run_id = ?", [run]).df()
    finally:
        wcon.close()
    t = pd.read_parquet(truth, columns=["record_key", "true_person_id"])
    return evaluate_clusters(entities.set_index("record_key")["entity_id"],
                             t.set_index("record_key")["true_person_id"])
