"""Row checks for police.uk files, and the quarantine of the rows that fail them.

Every check is a SQL expression over a staged row: the first that fails gives the row its
``reason`` (the row is refused and quarantined with file, line and reason); a ``flag`` marks
a row that loads but deserves a look. The checks run as the rows are read (``stage.py``
embeds ``CHECKS_BY_KIND``); ``check_rows`` finishes them over the whole load (repeated
Crime IDs, anti-social behaviour ids) and gathers what a person should see.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

import duckdb

from peel.sources.outcomes import UNMAPPED_FLAG, load_outcome_mapping
from peel.sources.police_uk.files import SOURCE_SYSTEM, STREET_COLUMNS, line_as_read_sql
from peel.warehouse import clear_quarantine
from peel.warehouse.sql import literal_tuple, quote_literal

if TYPE_CHECKING:
    import pandas as pd

# A box around the UK (Northern Ireland to East Anglia, Scilly to Shetland). Coordinates
# outside it are valid numbers but almost certainly wrong for a UK force: loaded and flagged.
UK_BOX = {"lon_min": -11.0, "lon_max": 3.0, "lat_min": 49.0, "lat_max": 61.5}

# How many problems to name in a failure message or the console summary.
MAX_REPORTED = 10

# One definition of a slug (force and reported-by names as codes), used in SQL.
SLUG_SQL = "trim(regexp_replace(lower(trim({0})), '[^a-z0-9]+', '-', 'g'), '-')"


def slug_sql(expr: str) -> str:
    """SQL for the slug of ``expr``: 'Hertfordshire Constabulary' -> 'hertfordshire-constabulary'."""
    return SLUG_SQL.format(expr)


def read_crime_types() -> pd.DataFrame:
    """Return the police.uk crime types (``mappings/police_uk_crime_types.csv``)."""
    import pandas as pd  # here, not above: peel.sources is imported by every peel command

    path = resources.files("peel.sources") / "mappings" / "police_uk_crime_types.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["is_anti_social_behaviour"] = frame["is_anti_social_behaviour"] == "true"
    return frame


def render_crime_types_table() -> str:
    """Return the crime types as a Markdown table, for docs/ingest.md (a test keeps them equal)."""
    lines = ["| police.uk crime type | anti-social behaviour | note |", "|---|---|---|"]
    for row in read_crime_types().itertuples():
        lines.append(
            f"| {row.crime_type} | {'yes' if row.is_anti_social_behaviour else 'no'} | {row.note} |"
        )
    return "\n".join(lines)


# Checks shared by both kinds of file: the first failing check is the row's reason.
_COMMON_CHECKS = """
    WHEN s.month IS DISTINCT FROM s.file_month THEN CASE
        WHEN s.month IS NULL OR NOT regexp_full_match(s.month, '\\d{4}-(0[1-9]|1[0-2])')
            THEN 'bad Month ''' || coalesce(s.month, '') || ''': expected YYYY-MM'
        ELSE 'Month ' || s.month || ' does not match the file name''s month ' || s.file_month END
    WHEN s.falls_within IS NULL
        THEN 'missing Falls within: expected the force''s name'
    WHEN (s.longitude IS NULL) <> (s.latitude IS NULL)
        THEN 'bad coordinate: Longitude and Latitude must both be given or both be empty'
    WHEN s.longitude IS NOT NULL AND s.lon_num IS NULL
        THEN 'bad coordinate: Longitude ''' || s.longitude || ''' is not a number'
    WHEN s.latitude IS NOT NULL AND s.lat_num IS NULL
        THEN 'bad coordinate: Latitude ''' || s.latitude || ''' is not a number'
    WHEN NOT s.lon_num BETWEEN -180 AND 180
        THEN 'bad coordinate: Longitude ' || s.longitude || ' is outside -180..180'
    WHEN NOT s.lat_num BETWEEN -90 AND 90
        THEN 'bad coordinate: Latitude ' || s.latitude || ' is outside -90..90'
"""

_FAR_FROM_UK = (
    f"NOT (s.lon_num BETWEEN {UK_BOX['lon_min']} AND {UK_BOX['lon_max']}"
    f" AND s.lat_num BETWEEN {UK_BOX['lat_min']} AND {UK_BOX['lat_max']})"
)
FAR_FROM_UK_FLAG = "coordinates far outside the UK: loaded, check the location"


def _flag_sql(column: str, label: str, wordings: str) -> str:
    """SQL for a row's flag: coordinates far from the UK, or an outcome wording in ``column``
    that is not one of ``wordings`` (an SQL list)."""
    return f"""CASE WHEN {_FAR_FROM_UK} THEN {quote_literal(FAR_FROM_UK_FLAG)}
        WHEN s.{column} NOT IN {wordings}
            THEN {quote_literal(label + " '")} || s.{column} || ''': ' || {quote_literal(UNMAPPED_FLAG)}
        END"""


def street_checks() -> tuple[str, str]:
    """SQL for a street row's reason (NULL when it loads) and flag (loads, worth a look)."""
    types = read_crime_types()
    known = literal_tuple(types["crime_type"])
    asb = literal_tuple(types.loc[types["is_anti_social_behaviour"], "crime_type"])
    wordings = literal_tuple(load_outcome_mapping()["outcome_type"])
    reason = f"""CASE {_COMMON_CHECKS}
        WHEN s.crime_type IS NULL OR s.crime_type NOT IN {known}
            THEN 'unknown crime type ''' || coalesce(s.crime_type, '') ||
                 ''': expected a police.uk crime type (police_uk_crime_types.csv)'
        WHEN s.crime_id IS NULL AND s.crime_type NOT IN {asb}
            THEN 'missing Crime ID on a ''' || s.crime_type ||
                 ''' row: only anti-social behaviour may have none'
        END"""
    return reason, _flag_sql("last_outcome_category", "Last outcome category", wordings)


def outcomes_checks() -> tuple[str, str]:
    """SQL for an outcome row's reason (NULL when it loads) and flag (loads, worth a look)."""
    wordings = literal_tuple(load_outcome_mapping()["outcome_type"])
    reason = f"""CASE {_COMMON_CHECKS}
        WHEN s.crime_id IS NULL THEN 'missing Crime ID: an outcome must name its crime'
        WHEN s.outcome_type IS NULL THEN 'missing Outcome type'
        END"""
    return reason, _flag_sql("outcome_type", "Outcome type", wordings)


CHECKS_BY_KIND = {"street": street_checks, "outcomes": outcomes_checks}


def check_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Finish the row checks over the staged rows (which carry ``base_reason`` and ``flag``).

    ``chk_street`` / ``chk_outcomes`` give each row its ``reason`` (NULL when it loads) and
    ``flag`` (loads, but worth a look). A Crime ID repeated within a file loads once (its
    first line); one repeated in a later month's file of the same load is taken from there.
    """
    # Repeated Crime IDs are few: find them with one aggregate, then rank only those rows.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_dup AS
           WITH repeated AS (
               SELECT crime_id FROM stg_street WHERE crime_id IS NOT NULL
               GROUP BY crime_id HAVING count(*) > 1),
           ranked AS (
               SELECT b.stg_row, b.file_id, b.line, b.file_month,
                   first_value(b.file_id) OVER w AS winner_file,
                   first_value(b.line) OVER w AS winner_line
               FROM stg_street_lines b JOIN repeated USING (crime_id)
               WHERE b.base_reason IS NULL
               WINDOW w AS (PARTITION BY b.crime_id ORDER BY b.file_month DESC, b.file_id DESC, b.line))
           SELECT stg_row,
               CASE WHEN file_id = winner_file THEN 'duplicate Crime ID: line ' || winner_line ||
                   ' of this file has it too and is the one loaded' END AS dup_reason,
               file_id <> winner_file AS superseded
           FROM ranked WHERE (file_id, line) <> (winner_file, winner_line)"""
    )
    # Anti-social behaviour ids use the reporting force as a slug: a few names, slugged once.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_reporter AS
            SELECT reported_by, {slug_sql("reported_by")} AS slug
            FROM (SELECT DISTINCT reported_by FROM stg_street WHERE crime_id IS NULL)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP VIEW chk_street AS
            SELECT b.* EXCLUDE (base_reason), coalesce(b.base_reason, d.dup_reason) AS reason,
                coalesce(d.superseded, false) AS superseded,
                coalesce(b.crime_id, 'asb:' || b.file_month || ':'
                         || coalesce(r.slug, 'unknown-reporter') || ':' || b.line) AS rid
            FROM stg_street_lines b
            LEFT JOIN stg_dup d USING (stg_row)
            LEFT JOIN stg_reporter r ON r.reported_by = b.reported_by"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP VIEW chk_outcomes AS
            SELECT s.* EXCLUDE (base_reason), s.base_reason AS reason, m.outcome_group,
                m.ho_outcome_code, m.is_positive, m.outcome_type IS NULL AS unmapped
            FROM stg_outcomes_lines s
            LEFT JOIN outcome_mapping m ON m.outcome_type = s.outcome_type"""
    )
    # The rows a person should see: refused (reason) or loaded with a flag. Few, so kept.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_problem AS
            SELECT f.name AS file_name, r.line, r.reason, NULL AS flag, r.raw
            FROM stg_reject r JOIN stg_file f USING (file_id)
            UNION ALL
            -- a repeated Crime ID is refused after the read: its line is rebuilt here
            SELECT file_name, line, reason, flag, coalesce(raw, {line_as_read_sql(STREET_COLUMNS)})
            FROM chk_street WHERE reason IS NOT NULL OR flag IS NOT NULL
            UNION ALL
            SELECT file_name, line, reason, flag, raw
            FROM chk_outcomes WHERE reason IS NOT NULL OR flag IS NOT NULL"""
    )


def problems(con: duckdb.DuckDBPyConnection, refused: bool) -> tuple[int, list[str]]:
    """Count refused (or flagged) rows and describe the first few as 'file line N: why'."""
    where = "reason IS NOT NULL" if refused else "reason IS NULL"
    what = "reason" if refused else "flag"
    total = con.execute(f"SELECT count(*) FROM stg_problem WHERE {where}").fetchone()[0]
    first = con.execute(
        f"SELECT file_name, line, {what} FROM stg_problem WHERE {where} "
        f"ORDER BY file_name, line LIMIT {MAX_REPORTED}"
    ).fetchall()
    return total, [f"{name} line {line}: {why}" for name, line, why in first]


def write_quarantine(con: duckdb.DuckDBPyConnection, batch_id: int, names: list[str]) -> None:
    """Keep every refused row, with file, line, reason and the row as read.

    A reloaded file's earlier quarantine rows are replaced by its rows now (matched on the
    file's own name, so a file loaded from a folder and later from the zip is the same).
    """
    clear_quarantine(con, SOURCE_SYSTEM, names)
    con.execute(
        """INSERT INTO quarantine (batch_id, source_system, file, line, reason, raw)
            SELECT ?, ?, file_name, line, reason, raw
            FROM stg_problem WHERE reason IS NOT NULL""",
        [batch_id, SOURCE_SYSTEM],
    )
