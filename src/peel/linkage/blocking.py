"""Choose the blocking rules for one data set by measuring the comparisons each would make.

Blocking decides which pairs of records are compared at all: a true pair no rule brings
together is never found, and a rule that brings together too many pairs makes a run too slow
(and, at a low threshold, offers weak links to chain). So the rules are not chosen by the
number of records: ``model.build_model`` lists candidate rules in order of preference (the
surest first) and each is counted on the data itself. A rule on equal values makes, in each
group of n records sharing its values, n(n-1)/2 pairs; one GROUP BY counts them exactly.
Rules are kept in order while their counts, added up, stay within the budget
(``model.comparison_budget``); a rule too big for what is left is left out, and the
report says so. Counts are added as if the rules did not overlap, so the pairs actually
scored are at most the budget.

With the true entity of each record (a test set's truth), ``blocking_recall`` says what share
of true pairs each kept rule adds: the most recall any scoring could then reach.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import duckdb
from splink import block_on

from peel.warehouse.sql import quote_identifier

if TYPE_CHECKING:  # pandas loads only when recall is measured: `peel --help` stays quick
    import pandas as pd

# Blocking on forename and surname crosswise: a record with them swapped.
SWAPPED = ("forename", "surname")


@dataclass(frozen=True)
class Candidate:
    """A candidate blocking rule: records agree on every key (SQL on one record), or, when
    ``swapped``, one's forename is the other's surname and the other way round."""

    keys: tuple[str, ...]
    swapped: bool = False

    def rule(self):
        if not self.keys:
            return "1 = 1"
        if self.swapped:
            return "l.forename = r.surname AND l.surname = r.forename"
        return block_on(*self.keys)

    def describe(self) -> str:
        if not self.keys:
            return "every pair"
        if self.swapped:
            return "forename and surname swapped"
        return " and ".join(self.keys)

    def sql(self, left: str, right: str) -> str:
        """SQL: the rule holds between records ``left`` and ``right`` (table aliases)."""
        if not self.keys:
            return "TRUE"
        if self.swapped:
            return (f"{left}.forename = {right}.surname AND {left}.surname = {right}.forename")
        return " AND ".join(f"{_on(k, left)} = {_on(k, right)}" for k in self.keys)


@dataclass
class RuleCount:
    """One candidate's measured comparisons, and whether it was kept (and if not, why)."""

    rule: str
    comparisons: int
    kept: bool
    reason: str = ""
    recall_added: float | None = None  # share of true pairs it adds (with truth only)

    def as_dict(self) -> dict:
        return asdict(self)


def key_column(key: str) -> str:
    """The column a blocking key reads: 'substr(surname, 1, 2)' -> 'surname'."""
    return key.split("(")[-1].split(",")[0].strip().rstrip(")")


def _on(key: str, alias: str) -> str:
    """A key expression ('surname', 'substr(surname, 1, 2)') on one table alias."""
    if key.isidentifier():
        return f"{alias}.{quote_identifier(key)}"
    name, rest = key.split("(", 1)
    column, args = rest.split(",", 1) if "," in rest else (rest.rstrip(")"), ")")
    tail = "," + args if "," in rest else args
    return f"{name}({alias}.{quote_identifier(column.strip())}{tail}"


def count_comparisons(con: duckdb.DuckDBPyConnection, table: str, candidate: Candidate) -> int:
    """The pairs of ``table``'s records ``candidate`` brings together (exact, one query)."""
    if not candidate.keys:
        n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        return n * (n - 1) // 2
    if candidate.swapped:
        a, b = SWAPPED
        sql = f"""WITH g AS (SELECT {a} AS a, {b} AS b, count(*) AS n FROM {table}
                             WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND {a} < {b}
                             GROUP BY ALL),
                       h AS (SELECT {b} AS a, {a} AS b, count(*) AS n FROM {table}
                             WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND {b} < {a}
                             GROUP BY ALL)
                  SELECT sum(g.n * h.n) FROM g JOIN h USING (a, b)"""
    else:
        keys = [_on(k, "t") for k in candidate.keys]
        sql = (f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM {table} t "
               f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in keys)} "
               f"GROUP BY {', '.join(keys)})")
    return int(con.execute(sql).fetchall()[0][0] or 0)


def choose_rules(con: duckdb.DuckDBPyConnection, table: str, candidates: list[Candidate],
                 limit: int) -> tuple[list[Candidate], list[RuleCount]]:
    """The candidates kept, in order, while their comparisons add up to at most ``limit``
    (``model.comparison_budget``), and a count for every candidate."""
    kept: list[Candidate] = []
    report: list[RuleCount] = []
    used = 0
    for candidate in candidates:
        n = count_comparisons(con, table, candidate)
        if n == 0:
            report.append(RuleCount(candidate.describe(), 0, False, "brings no pair together"))
        elif used + n > limit:
            report.append(RuleCount(candidate.describe(), n, False,
                                    f"over the budget of {limit:,} comparisons"))
        else:
            used += n
            kept.append(candidate)
            report.append(RuleCount(candidate.describe(), n, True))
    return kept, report


def choose_training_blocks(
    con: duckdb.DuckDBPyConnection, table: str, candidates: list[Candidate],
    compared: dict[str, set[str]], min_pairs: int,
) -> tuple[list[Candidate], list[str]]:
    """For each comparison (its name -> the columns it reads), the first candidate block
    with at least ``min_pairs`` pairs that does not block on those columns (Splink cannot
    train a comparison within a block on its own columns). Returns the blocks, in the
    candidates' order, and the comparisons no block can train."""
    counts: dict[Candidate, int] = {}

    def enough(candidate: Candidate) -> bool:
        if candidate not in counts:
            counts[candidate] = count_comparisons(con, table, candidate)
        return counts[candidate] >= min_pairs

    def trains(c: Candidate, columns: set[str]) -> bool:
        return not {key_column(k) for k in c.keys} & columns

    chosen: list[Candidate] = []
    untrained = []
    for name, columns in compared.items():
        if any(trains(c, columns) for c in chosen):
            continue
        found = next((c for c in candidates if trains(c, columns) and enough(c)), None)
        if found is None:
            untrained.append(name)
        else:
            chosen.append(found)
    return [c for c in candidates if c in chosen], untrained


def blocking_recall(con: duckdb.DuckDBPyConnection, table: str, truth: pd.Series,
                    kept: list[Candidate], report: list[RuleCount]) -> float:
    """Set each kept rule's ``recall_added`` (the share of true pairs it brings together
    that earlier rules did not) and return the share all kept rules bring together.

    ``truth``: the true entity of each record of ``table`` (index: unique_id)."""
    import pandas as pd

    frame = pd.DataFrame({"unique_id": truth.index.astype(str), "entity": truth.astype(str)})
    con.register("peel_truth_frame", frame.dropna())
    caught = [f"({c.sql('l', 'r')} OR {c.sql('r', 'l')})" for c in kept]
    first = "CASE " + " ".join(f"WHEN {sql} THEN {i}" for i, sql in enumerate(caught)) + " END"
    rows = con.execute(
        f"""WITH t AS (SELECT p.* , f.entity FROM {table} p
                       JOIN peel_truth_frame f USING (unique_id))
            SELECT {first if kept else 'NULL'} AS rule, count(*) FROM t l JOIN t r
            ON l.entity = r.entity AND l.unique_id < r.unique_id GROUP BY rule"""
    ).fetchall()
    con.unregister("peel_truth_frame")
    total = sum(n for _, n in rows) or 1
    added = {rule: n for rule, n in rows}
    kept_reports = [r for r in report if r.kept]
    for i, r in enumerate(kept_reports):
        r.recall_added = added.get(i, 0) / total
    return sum(n for rule, n in rows if rule is not None) / total


__all__ = ["Candidate", "RuleCount", "blocking_recall", "choose_rules", "choose_training_blocks",
           "count_comparisons", "key_column"]
