"""What a measure counts: a crime type and an area, resolved against the warehouse.

``apply_scope`` builds the temporary tables that every measure's SQL reads
(``scoped_crime``, ``scoped_outcome``, ``scoped_arrest``; see definitions.yaml), so that
a measure is written once and works for any crime type at any area level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from peel.warehouse.database import get_force_name
from peel.warehouse.sql import quote_literal

ALL_CRIME = "all-crime"
ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"
ASB = "Anti-social behaviour"

LEVELS = ("force", "district", "neighbourhood")  # largest first
# The crime column that places a crime in an area of each level. A force is all its crimes,
# counted under the key FORCE_KEY wherever counts are kept per area.
FORCE_KEY = "all"
LEVEL_COLUMN = {"force": f"'{FORCE_KEY}'", "district": "district_code", "neighbourhood": "lsoa_code"}

# Crimes a force records outside its own districts, and crimes with no location, count in
# the force's figures under two groups that stand where a district would. police.uk places
# a crime in the neighbourhood (LSOA) where it happened, which for a few crimes is in
# another force's area (Hertfordshire: 1,248 crimes in 173 districts from Birmingham to
# Wiltshire). A force's own districts each hold several percent of its crimes; a district
# holding less than OWN_DISTRICT_SHARE of the located crimes is taken to lie outside it.
OUTSIDE = "outside-force-area"
NO_LOCATION = "no-location"
GROUP_NAMES = {OUTSIDE: "Outside the force area", NO_LOCATION: "No location"}
OWN_DISTRICT_SHARE = 0.005


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Scope:
    """A resolved crime type and area."""

    crime_type_label: str
    crime_filter: str  # SQL over the crime table's columns
    crime_params: dict
    area_code: str | None
    area_name: str
    area_level: str  # 'force', 'district' or 'neighbourhood'

    @property
    def description(self) -> str:
        return f"{self.crime_type_label}, {self.area_name}"

    @property
    def all_crime(self) -> bool:
        return self.crime_type_label == ALL_CRIME_LABEL

    @property
    def key(self) -> str:
        """The area's key in per-area counts: its code, or FORCE_KEY for the force."""
        return self.area_code if self.area_code is not None else FORCE_KEY


def order_by_level(column: str) -> str:
    """SQL that sorts areas by level, largest first, as LEVELS lists them."""
    levels = ", ".join(f"'{level}'" for level in LEVELS)
    return f"list_position([{levels}], {column})"


def resolve_crime_type(con: duckdb.DuckDBPyConnection, crime_type: str) -> tuple[str, str, dict]:
    """Match a slug or name against the crime types and subtypes the data has.

    'burglary' is police.uk's Burglary; 'residential-burglary' is the Home Office subtype
    where the source records it; 'all-crime' is every type except anti-social behaviour.
    """
    wanted = slugify(crime_type)
    if wanted == ALL_CRIME:
        return ALL_CRIME_LABEL, "crime_type <> $asb", {"asb": ASB}
    types = [r[0] for r in con.execute("SELECT DISTINCT crime_type FROM crime").fetchall()]
    for name in types:
        if slugify(name) == wanted:
            return name, "crime_type = $crime_type", {"crime_type": name}
    subtypes = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT crime_subtype FROM crime WHERE crime_subtype IS NOT NULL"
        ).fetchall()
    ]
    for name in subtypes:
        if slugify(name) == wanted:
            return name, "crime_subtype = $crime_subtype", {"crime_subtype": name}
    known = [slug for slug, _ in list_crime_types(con)]
    raise ValueError(
        f"No crime type '{crime_type}' in the warehouse. Known: {', '.join(known) or 'none (load data first)'}."
    )


def list_crime_types(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(slug, name) of every crime type and subtype the data has, and all crime, by slug."""
    names = [r[0] for r in con.execute(
        """SELECT crime_type FROM crime UNION SELECT crime_subtype FROM crime
           WHERE crime_subtype IS NOT NULL""").fetchall()]
    found = {slugify(name): name for name in names}
    found[ALL_CRIME] = ALL_CRIME_LABEL
    return sorted(found.items())


def resolve_area(con: duckdb.DuckDBPyConnection, area: str | None) -> tuple[str | None, str, str]:
    """An area code or name (force, district or neighbourhood/LSOA, or one of the two groups
    ``GROUP_NAMES``) -> (code, name, level)."""
    if area is None:
        return (None, get_force_name(con) or "All areas", "force")
    for code, name in GROUP_NAMES.items():
        if area.lower() in (code, name.lower()):
            return code, name, "district"
    row = con.execute(
        f"""SELECT area_code, area_name, level FROM area
           WHERE lower(area_code) = lower($a) OR lower(area_name) = lower($a)
           ORDER BY {order_by_level("level")} LIMIT 1""",
        {"a": area},
    ).fetchone()
    if row is None:
        raise ValueError(
            f"No area '{area}'. Give a force, district or neighbourhood (LSOA) code or name; "
            "'peel areas' lists them."
        )
    return row[0], row[1], row[2]


def resolve_scope(con: duckdb.DuckDBPyConnection, crime_type: str, area: str | None = None) -> Scope:
    label, crime_filter, params = resolve_crime_type(con, crime_type)
    code, name, level = resolve_area(con, area)
    return Scope(label, crime_filter, params, code if level != "force" else None, name, level)


def district_group_sql(district: str, lsoa: str) -> str:
    """SQL placing a crime in its district, or in one of the groups OUTSIDE and NO_LOCATION
    (needs ``own_district``, from ``find_own_districts``)."""
    return (f"CASE WHEN {lsoa} IS NULL AND {district} IS NULL THEN '{NO_LOCATION}' "
            f"WHEN {district} IN (SELECT district_code FROM own_district) THEN {district} "
            f"ELSE '{OUTSIDE}' END")


def find_own_districts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the temporary table ``own_district``: the districts of the force's own
    area, each holding at least OWN_DISTRICT_SHARE of the located crimes."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE own_district AS
           SELECT district_code FROM crime WHERE district_code IS NOT NULL GROUP BY district_code
           HAVING count(*) >= $share * (SELECT count(*) FROM crime WHERE district_code IS NOT NULL)""",
        {"share": OWN_DISTRICT_SHARE},
    )


def apply_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """(Re)create the scoped_* temporary tables for this scope on this connection.

    Tables, not views: a report runs a few dozen queries over the same few thousand crimes,
    and selecting them once from the whole warehouse is what makes a force-month fast.
    In them a crime's ``district_code`` is its district, OUTSIDE or NO_LOCATION. Outcomes
    whose crime is not in the warehouse (recorded before the first month loaded) have no
    known type: the positive ones are outcomes of all crime, placed by their own LSOA, and
    kept apart in ``scoped_unattributed`` for any other crime type.
    """
    find_own_districts(con)
    area_sql, params = "TRUE", dict(scope.crime_params)
    if scope.area_code is not None:
        area_sql = f"{LEVEL_COLUMN[scope.area_level]} = $area_code"
        params["area_code"] = scope.area_code
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE scoped_crime AS
            SELECT * FROM (
                SELECT c.* REPLACE ({district_group_sql("c.district_code", "c.lsoa_code")} AS district_code),
                       coalesce(c.recorded_date, c.month) AS recorded,
                       coalesce(m.is_positive, FALSE) AS last_outcome_positive
                FROM crime c LEFT JOIN outcome_mapping m ON m.outcome_type = c.last_outcome
                WHERE ({scope.crime_filter}))
            WHERE ({area_sql})""",
        params,
    )
    place = {"area_code": scope.area_code} if scope.area_code is not None else {}
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE scoped_unattributed AS
            SELECT * EXCLUDE (district_code) FROM (
                SELECT o.*, coalesce(o.outcome_date, o.month) AS assigned, NULL::DATE AS recorded,
                       {district_group_sql("n.parent_code", "o.lsoa_code")} AS district_code
                FROM outcome o LEFT JOIN area n ON n.area_code = o.lsoa_code AND n.level = 'neighbourhood'
                -- positive ones only: the measures count nothing else, and it is a fifth of the rows
                WHERE o.is_positive AND NOT EXISTS (SELECT 1 FROM crime c WHERE c.crime_key = o.crime_key))
            WHERE ({area_sql})""",
        place,
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE scoped_outcome AS
           SELECT o.*, coalesce(o.outcome_date, o.month) AS assigned, c.recorded
           FROM outcome o JOIN scoped_crime c USING (crime_key)
           {"UNION ALL SELECT * FROM scoped_unattributed" if scope.all_crime else ""}"""
    )
    # An arrest is in scope when the crime it was for is: type and area come from the crime.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE scoped_arrest AS
           SELECT a.*, a.arrest_date AS arrested FROM arrest a JOIN scoped_crime c USING (crime_key)"""
    )


@dataclass(frozen=True)
class Place:
    """Crimes of a scope in one district, or in one of the groups OUTSIDE and NO_LOCATION."""

    code: str
    name: str
    crimes: int


def count_places(con: duckdb.DuckDBPyConnection, period, as_of) -> list[Place]:
    """The scope's crimes recorded in ``period`` (a ``Period``) per district, the force's own
    districts by name, then the two groups (``apply_scope`` must have run)."""
    rows = con.execute(
        f"""SELECT s.district_code, coalesce(a.area_name, s.district_code), count(*) FROM scoped_crime s
            LEFT JOIN area a ON a.area_code = s.district_code AND a.level = 'district'
            WHERE s.recorded >= $start AND s.recorded < $end AND s.recorded <= $as_of
            GROUP BY 1, 2 ORDER BY s.district_code IN ('{OUTSIDE}', '{NO_LOCATION}'), 2""",
        {"start": period.start, "end": period.end, "as_of": as_of},
    ).fetchall()
    return [Place(code, GROUP_NAMES.get(code, name), n) for code, name, n in rows]


def list_areas(con: duckdb.DuckDBPyConnection, level: str | None = None,
               within: str | None = None) -> list[tuple[str, str, str, str | None, int]]:
    """(code, name, level, within, crimes) of every area, largest level first: the force's own
    districts and their neighbourhoods, then the groups OUTSIDE (other forces' districts,
    whose neighbourhoods are listed within it) and NO_LOCATION, each with its crimes."""
    find_own_districts(con)
    groups = ", ".join(f"({quote_literal(code)}, {quote_literal(name)})" for code, name in GROUP_NAMES.items())
    return con.execute(
        f"""WITH crimes AS (
                SELECT {district_group_sql("district_code", "lsoa_code")} AS district, lsoa_code, count(*) AS n
                FROM crime GROUP BY ALL),
            counted AS (
                SELECT lsoa_code AS code, sum(n) AS n FROM crimes WHERE lsoa_code IS NOT NULL GROUP BY 1
                UNION ALL SELECT district, sum(n) FROM crimes GROUP BY 1
                UNION ALL SELECT {quote_literal(FORCE_KEY)}, sum(n) FROM crimes),
            place AS (
                SELECT a.area_code, a.area_name, a.level, p.area_name AS within, a.parent_code,
                       coalesce(c.n, 0) AS crimes
                FROM area a LEFT JOIN area p ON p.area_code = a.parent_code
                LEFT JOIN counted c ON c.code = CASE WHEN a.level = 'force' THEN {quote_literal(FORCE_KEY)}
                                                     ELSE a.area_code END
                WHERE a.level <> 'district' AND a.parent_code NOT IN (SELECT district_code FROM own_district)
                      IS NOT TRUE
                UNION ALL
                SELECT a.area_code, a.area_name, 'neighbourhood', g.name || ': ' || p.area_name, g.code,
                       coalesce(c.n, 0)
                FROM area a JOIN area p ON p.area_code = a.parent_code
                LEFT JOIN counted c ON c.code = a.area_code, (VALUES {groups}) g(code, name)
                WHERE a.level = 'neighbourhood' AND g.code = {quote_literal(OUTSIDE)}
                      AND a.parent_code NOT IN (SELECT district_code FROM own_district)
                UNION ALL
                SELECT a.area_code, a.area_name, a.level, p.area_name, a.parent_code, coalesce(c.n, 0)
                FROM area a LEFT JOIN area p ON p.area_code = a.parent_code
                LEFT JOIN counted c ON c.code = a.area_code
                WHERE a.level = 'district' AND a.area_code IN (SELECT district_code FROM own_district)
                UNION ALL
                SELECT g.code, g.name, 'district', f.area_name, f.area_code, coalesce(c.n, 0)
                FROM (VALUES {groups}) g(code, name) LEFT JOIN counted c ON c.code = g.code
                LEFT JOIN (SELECT * FROM area WHERE level = 'force' ORDER BY area_code LIMIT 1) f ON TRUE)
            SELECT area_code, area_name, level, within, crimes::BIGINT FROM place
            WHERE ($level IS NULL OR level = $level)
              AND ($within IS NULL OR parent_code IN (
                    SELECT area_code FROM area WHERE lower(area_code) = lower($within) OR lower(area_name) = lower($within)
                    UNION SELECT code FROM (VALUES {groups}) g(code, name)
                    WHERE lower(code) = lower($within) OR lower(name) = lower($within)))
              AND NOT (level = 'district' AND area_code IN ({quote_literal(OUTSIDE)}, {quote_literal(NO_LOCATION)})
                       AND crimes = 0)
            ORDER BY {order_by_level("level")}, area_code IN ({quote_literal(OUTSIDE)}, {quote_literal(NO_LOCATION)}),
                     area_name""",
        {"level": level, "within": within},
    ).fetchall()
