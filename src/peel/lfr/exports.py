"""The matcher vendor's exports, loaded through declared column mappings (the mapping language
of docs/ingest.md): alerts (``mappings/vendor_alerts.yaml``, the ``alert`` fields) and each
deployment's faces seen (``mappings/vendor_results.yaml``, the ``results`` fields). A file loads
all or nothing: one row that cannot be accepted refuses it, naming the file, the line and the
record, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from peel.casebook import PURPOSE, Action, Operation, Request, processing
from peel.lfr.alerts import ALERT, check_alert, get_windows, write_alerts
from peel.lfr.register import DOMAIN, writing
from peel.lfr.rules import PlanError
from peel.sources.mapped import FieldSet, Mapping, read_extract, read_mapping
from peel.warehouse import open_batch

RESULTS = FieldSet(section="results", names=("deployment_ref", "faces_seen"),
                   needs_one_of=("deployment_ref",), needs_what="deployment_ref, the deployment each row reports")


def read_rows(path: Path, mapping: Mapping) -> list[tuple[str, str, dict]]:
    """(where, record id, fields) for each row of an export, values translated; refuses an
    unreadable row or one without an id, naming it."""
    extract = read_extract(path, mapping)
    if extract.unreadable:
        line, why, _ = extract.unreadable[0]
        raise PlanError(f"{path}, line {line}: {why}. Nothing was loaded.")
    frame = extract.rows.to_pandas() if hasattr(extract.rows, "to_pandas") else extract.rows
    rows = []
    for record in frame.to_dict("records"):
        record_id = str(record.get(mapping.record_id) or "").strip()
        where = f"{path}, line {record['_line']} ({mapping.field_set.section} {record_id or 'without an id'})"
        if not record_id:
            raise PlanError(f"{where}: no record id in column {mapping.record_id!r}. Nothing was loaded.")
        fields = {name: " ".join(str(record[c] or "") for c in columns).strip()
                  for name, columns in mapping.fields.items()}
        rows.append((where, record_id, {name: mapping.values.get(name, {}).get(value, value)
                                        for name, value in fields.items()}))
    return rows


def read_vendor_mapping(mapping_path: Path | str, fields: FieldSet) -> Mapping:
    mapping = read_mapping(mapping_path, fields)
    if not mapping.source_system:
        raise PlanError(f"{mapping.path}: 'source_system' is required: the vendor system the export comes from.")
    return mapping


def load_vendor_export(con: duckdb.DuckDBPyConnection, username: str, path: Path | str,
                       mapping_path: Path | str, *, purpose: str) -> int:
    """Load the vendor's alert export through its mapping, all or nothing; the alerts loaded.

    The alerts name their subjects (watchlist entries), so the load is a collection of personal
    data (DPA 2018 s62): it needs a role that may collect for LFR and the user's purpose, and is
    logged with the file and the alerts loaded."""
    path = Path(path)
    # Checked first, so a refused user learns nothing of the file and nothing is read.
    with processing(username, Request(Action.COLLECT, "lfr_alert", "vendor export", domain=DOMAIN,
                                      purpose=purpose, must_state=PURPOSE), Operation.COLLECTION) as touched:
        mapping = read_vendor_mapping(mapping_path, ALERT)
        windows, rows, ids = get_windows(con), [], []
        for where, alert_id, fields in read_rows(path, mapping):
            try:
                rows.append(check_alert(where, fields, windows))
            except PlanError as error:
                raise PlanError(f"{error} Nothing was loaded.") from None
            ids.append(alert_id)
        write_alerts(con, rows, mapping.source_system, ids, f"vendor export via mapping {mapping.path.name}",
                     [str(path)])
        touched.update(file=str(path), alerts=len(rows))
    return len(rows)




def load_results_export(con: duckdb.DuckDBPyConnection, username: str, path: Path | str,
                        mapping_path: Path | str) -> int:
    """Load each deployment's faces seen from the vendor's summary export, all or nothing."""
    path = Path(path)
    mapping = read_vendor_mapping(mapping_path, RESULTS)
    known = set(get_windows(con))
    results = []
    for where, _, fields in read_rows(path, mapping):
        ref, faces = fields.get("deployment_ref", "").strip(), fields.get("faces_seen", "").replace(",", "").strip()
        if ref not in known:
            raise PlanError(f"{where}: results for an unknown deployment {ref!r}: it is not in the register. "
                            "Nothing was loaded.")
        if not faces.isdigit():
            raise PlanError(f"{where}: faces seen {faces!r} should be a whole number. Nothing was loaded.")
        results.append((int(faces), ref))
    with writing(username, "vendor export", f"Loading the matcher's results export {path.name}") as touched, \
            open_batch(con, mapping.source_system, [str(path)]) as batch:
        con.executemany("UPDATE lfr_deployment SET faces_seen = ? WHERE deployment_ref = ?", results)
        batch.rows_read = batch.rows_loaded = len(results)
        batch.note = f"faces seen via mapping {mapping.path.name}"
        touched.update(file=str(path), deployments=len(results))
    return len(results)
