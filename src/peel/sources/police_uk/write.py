"""Writing a police.uk load to the warehouse: crimes, outcomes and the areas they touch.

Runs inside the load's batch (``load.py``), over the checked staging rows (``checks.py``):
only rows without a ``reason`` are written. A reload replaces what the same files wrote
before, so loading a file twice changes nothing.
"""

from __future__ import annotations

import duckdb

from peel.sources.outcomes import UNMAPPED_FLAG, UNMAPPED_GROUP
from peel.sources.police_uk.checks import slug_sql
from peel.sources.police_uk.files import SOURCE_SYSTEM
from peel.warehouse.sql import quote_literal

SYSTEM = quote_literal(SOURCE_SYSTEM)
KEY_PREFIX = quote_literal(f"{SOURCE_SYSTEM}:")  # a crime's key is police_uk:<Crime ID>

# The district of an LSOA is its name without the last token: 'Broxbourne 001A' -> 'Broxbourne'.
DISTRICT_SQL = "nullif(nullif(rtrim(left({0}, length({0}) - strpos(reverse({0}), ' '))), {0}), '')"

# In police_uk_outcome_origin, this crime_key stands for "every outcome of that month in
# that batch": a batch that loaded one force's file for a month needs no per-row record.
WHOLE_FILE = "*"
WHOLE = quote_literal(WHOLE_FILE)


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return (
        con.execute(f"SELECT 1 FROM {table} WHERE source_system = {SYSTEM} LIMIT 1").fetchone()
        is not None
    )


def write_crimes(con: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[int, int]:
    """Replace crimes by crime_key with the good street rows; return (written, superseded).

    Anti-social behaviour has no Crime ID to match on: a street file for a month replaces
    all the ASB rows loaded before for that month and reporting force.
    """
    good = "reason IS NULL AND NOT superseded"
    if _has_rows(con, "crime"):  # a first load has nothing to replace: skip the search
        con.execute(
            f"""DELETE FROM crime WHERE source_system = {SYSTEM} AND crime_key IN (
                    SELECT {KEY_PREFIX} || rid FROM chk_street WHERE {good})"""
        )
        con.execute(
            f"""DELETE FROM crime WHERE source_system = {SYSTEM}
                AND split_part(source_record_id, ':', 1) = 'asb'
                AND (month, split_part(source_record_id, ':', 3)) IN (
                    SELECT DISTINCT (f.month_start, coalesce(r.slug, 'unknown-reporter'))
                    FROM stg_street s JOIN stg_file f USING (file_id)
                    LEFT JOIN stg_reporter r ON r.reported_by = s.reported_by
                    WHERE s.crime_id IS NULL)"""
        )
    # A few thousand neighbourhood names: work out each one's district once, not per row.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_district AS
            SELECT lsoa_name, {DISTRICT_SQL.format("lsoa_name")} AS district_code
            FROM (SELECT DISTINCT lsoa_name FROM stg_street WHERE lsoa_name IS NOT NULL)"""
    )
    written = con.execute(
        f"""INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, force,
                reported_by, longitude, latitude, location, lsoa_code, lsoa_name, district_code,
                crime_type, last_outcome, context)
            SELECT {KEY_PREFIX} || rid, {SYSTEM}, rid, {batch_id},
                month_start, falls_within, reported_by,
                lon_num, lat_num, location, lsoa_code,
                lsoa_name, d.district_code, crime_type,
                last_outcome_category, context
            FROM chk_street LEFT JOIN stg_district d USING (lsoa_name) WHERE {good}"""
    ).fetchone()[0]
    superseded = con.execute("SELECT count(*) FROM stg_dup WHERE superseded").fetchone()[0]
    return written, superseded


def write_outcomes(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Replace the outcomes each file (month, force) loaded before with the good rows now."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_outcome_file AS
            SELECT CAST(file_month || '-01' AS DATE) AS month, {slug_sql("falls_within")} AS force_code,
                count(*) OVER (PARTITION BY file_month) AS forces_in_month
            FROM (SELECT DISTINCT f.month AS file_month, s.falls_within
                  FROM stg_outcomes s JOIN stg_file f USING (file_id)
                  WHERE s.falls_within IS NOT NULL)"""
    )
    if _has_rows(con, "outcome"):
        con.execute(
            f"""DELETE FROM outcome o WHERE source_system = {SYSTEM}
                AND month IN (SELECT month FROM stg_outcome_file)
                AND ((batch_id, month) IN (
                        SELECT (g.batch_id, g.month) FROM police_uk_outcome_origin g
                        JOIN stg_outcome_file USING (month, force_code) WHERE g.crime_key = {WHOLE})
                     OR (crime_key, month) IN (
                        SELECT (g.crime_key, g.month) FROM police_uk_outcome_origin g
                        JOIN stg_outcome_file USING (month, force_code) WHERE g.crime_key <> {WHOLE}))"""
        )
        con.execute(
            """DELETE FROM police_uk_outcome_origin WHERE (month, force_code) IN (
                   SELECT (month, force_code) FROM stg_outcome_file)"""
        )
    written = con.execute(
        f"""INSERT INTO outcome (crime_key, source_system, source_record_id, batch_id, month,
                outcome_type, outcome_group, ho_outcome_code, is_positive, flagged, lsoa_code)
            SELECT {KEY_PREFIX} || crime_id, {SYSTEM}, crime_id, {batch_id},
                month_start, outcome_type,
                coalesce(outcome_group, {quote_literal(UNMAPPED_GROUP)}), ho_outcome_code, is_positive,
                CASE WHEN unmapped THEN {quote_literal(UNMAPPED_FLAG)} END, nullif(lsoa_code, '')
            FROM chk_outcomes WHERE reason IS NULL"""
    ).fetchone()[0]
    con.execute(
        f"""INSERT INTO police_uk_outcome_origin
            SELECT {WHOLE}, month, force_code, {batch_id}
            FROM stg_outcome_file WHERE forces_in_month = 1"""
    )
    # Two forces' files for one month in one batch: record which crime came from which.
    con.execute(
        f"""INSERT INTO police_uk_outcome_origin
            SELECT DISTINCT {KEY_PREFIX} || c.crime_id, o.month, o.force_code, {batch_id}
            FROM chk_outcomes c
            JOIN stg_outcome_file o ON o.month = c.month_start
                AND o.force_code = {slug_sql("c.falls_within")}
            WHERE o.forces_in_month > 1 AND c.reason IS NULL"""
    )
    return written


def write_areas(con: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Upsert the force, district and neighbourhood (LSOA) areas this load touched.

    Districts and neighbourhoods are computed from every police.uk crime in the warehouse
    in those areas, so the result depends on what is loaded, not on the order of loads.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_area AS
            WITH forces AS (
                SELECT DISTINCT falls_within FROM stg_street WHERE falls_within IS NOT NULL
                UNION SELECT DISTINCT falls_within FROM stg_outcomes WHERE falls_within IS NOT NULL),
            touched AS (SELECT DISTINCT lsoa_code FROM stg_street WHERE lsoa_code IS NOT NULL),
            crimes AS (
                SELECT c.force, c.lsoa_code, c.lsoa_name, c.district_code, c.longitude, c.latitude
                FROM crime c JOIN touched USING (lsoa_code)
                WHERE c.source_system = {SYSTEM})
            SELECT {slug_sql("falls_within")} AS area_code, min(falls_within) AS area_name,
                'force' AS level, NULL AS parent_code, NULL::DOUBLE AS longitude,
                NULL::DOUBLE AS latitude, min(falls_within) AS source_record_id
            FROM forces GROUP BY 1
            UNION ALL
            SELECT district_code, district_code, 'district', {slug_sql("mode(force)")},
                NULL, NULL, district_code
            FROM crimes WHERE district_code IS NOT NULL GROUP BY district_code
            UNION ALL
            SELECT lsoa_code, mode(lsoa_name), 'neighbourhood', mode(district_code),
                -- exact decimal sums: a float sum's order varies between runs, and a reload
                -- must give the same mean to the last digit
                avg(longitude::DECIMAL(18, 6))::DOUBLE, avg(latitude::DECIMAL(18, 6))::DOUBLE,
                lsoa_code
            FROM crimes GROUP BY lsoa_code"""
    )
    con.execute(
        f"""INSERT OR REPLACE INTO area (area_code, area_name, level, parent_code, longitude,
                latitude, source_system, source_record_id, batch_id)
            SELECT area_code, area_name, level, parent_code, longitude, latitude,
                {SYSTEM}, source_record_id, {batch_id}
            FROM stg_area"""
    )
