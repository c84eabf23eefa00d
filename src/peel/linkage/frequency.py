"""How common a value is: the frequencies the model's term-frequency adjustments weigh
agreement with, and the chance that two records share a whole name. One definition, used by
a run (resolve) and by ``peel link explain`` and ``peel link match`` (warehouse_run).

A value's frequency is its share of the distinct records holding a value in that column
(Splink's own definition). A whole name is the exception: its frequency is its forename's
share times its surname's share, and the chance that two records agree on the whole name
(the u probability of "forename and surname exact") is the chance that they agree on the
forename times the chance that they agree on the surname.

Why: most whole names are rare, so most pairs of records sharing one are one person's own
records, and a count of whole names counts those matches as chance. On the generated
names-only set, 615 of the 687 pairs of distinct records with the same name are the same
person; counted whole, the exact-name u was 8.0e-5 and a name held by one person's two
records had the frequency 2 in 4,679, both taken as the chance that two different people
share it; from the forename and surname it is 7.1e-6. Forenames and surnames are each
shared by many people, so their counts are made mostly of different people, and different
people's forenames and surnames are close to independent.
"""

from __future__ import annotations

import math

import duckdb

from peel.warehouse.sql import quote_identifier

# The column the exact-name level's frequency adjustment reads (model._name_comparison).
NAME_COLUMN = "name_sorted"


def adjusted_columns(model: dict) -> list[str]:
    """The columns a trained model (Splink's JSON) adjusts by frequency."""
    return sorted({level["tf_adjustment_column"] for comparison in model["comparisons"]
                   for level in comparison["comparison_levels"]
                   if level.get("tf_adjustment_column")})


def frequency_sql(table: str, column: str) -> str:
    """A query giving each value of ``column`` in ``table`` its frequency, as Splink's
    lookup wants it: columns ``column`` and ``tf_<column>``."""
    name, tf = quote_identifier(column), quote_identifier(f"tf_{column}")
    source = quote_identifier(table)
    if column != NAME_COLUMN:
        return (f"SELECT {name}, count(*) / sum(count(*)) OVER () AS {tf} "
                f"FROM {source} WHERE {name} IS NOT NULL GROUP BY {name}")
    # A name written in either order has one name_sorted: the commonest reading counts.
    return f"""WITH f AS (SELECT forename, count(*) / sum(count(*)) OVER () AS share
                          FROM {source} WHERE forename IS NOT NULL GROUP BY forename),
                    s AS (SELECT surname, count(*) / sum(count(*)) OVER () AS share
                          FROM {source} WHERE surname IS NOT NULL GROUP BY surname)
               SELECT {name}, max(f.share * s.share) AS {tf}
               FROM {source} JOIN f USING (forename) JOIN s USING (surname)
               WHERE {name} IS NOT NULL GROUP BY {name}"""


def name_agreement_u(con: duckdb.DuckDBPyConnection, table: str) -> float | None:
    """The chance that two of ``table``'s records agree on forename and surname by chance:
    the share of pairs agreeing on the forename times the share agreeing on the surname
    (among records holding one). None when either has no agreeing pair."""
    def agreeing(column: str) -> str:
        col = quote_identifier(column)
        return (f"(SELECT sum(c * (c - 1)::DOUBLE) / (sum(c)::DOUBLE * (sum(c) - 1)) FROM "
                f"(SELECT count(*) AS c FROM {quote_identifier(table)} WHERE {col} IS NOT NULL "
                f"GROUP BY {col}))")

    u = con.execute(f"SELECT {agreeing('forename')} * {agreeing('surname')}").fetchall()[0][0]
    return u if u is not None and math.isfinite(u) and u > 0 else None


__all__ = ["NAME_COLUMN", "adjusted_columns", "frequency_sql", "name_agreement_u"]
