"""The real Hertfordshire files the police.uk tests load, and small ways to change them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from peel.sources.outcomes import get_mapping_path

MONTHS = [f"2021-{m:02d}" for m in range(1, 13)] + ["2022-01"]


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_crimes(folder: Path) -> list[dict]:
    """Street rows a correct load keeps: every row, except a repeated Crime ID within a file
    (the first is kept)."""
    kept = []
    for month in MONTHS:
        seen = set()
        for row in read_rows(folder / f"{month}-hertfordshire-street.csv"):
            if row["Crime ID"] and row["Crime ID"] in seen:
                continue
            seen.add(row["Crime ID"])
            kept.append(row)
    return kept


def positive_wordings() -> set[str]:
    with Path(str(get_mapping_path())).open(newline="", encoding="utf-8") as f:
        return {r["outcome_type"] for r in csv.DictReader(f) if r["is_positive"] == "true"}


def table_contents(con, table: str) -> list[tuple]:
    """Every row of a table without batch_id (a reload is a new batch), sorted."""
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND column_name <> 'batch_id' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    cols = ", ".join(columns)
    return con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()


WAREHOUSE_TABLES = ["crime", "outcome", "area", "quarantine", "police_uk_outcome_origin"]


def copy_months(
    police_uk_dir: Path, target: Path, months: list[str], kinds=("street", "outcomes")
) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for month in months:
        for kind in kinds:
            name = f"{month}-hertfordshire-{kind}.csv"
            shutil.copy(police_uk_dir / name, target / name)
    return target


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def real_lines(police_uk_dir: Path, name: str, count: int) -> list[str]:
    """The header and the first ``count`` data lines of a real file."""
    with (police_uk_dir / name).open(encoding="utf-8") as f:
        return [next(f).rstrip("\n") for _ in range(count + 1)]


def warehouse_is_empty(con) -> bool:
    return all(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0
        for t in (
            "crime",
            "outcome",
            "area",
            "quarantine",
            "ingest_batch",
            "police_uk_outcome_origin",
        )
    )


def street_with(police_uk_dir, tmp_path, edits: dict[int, dict[int, str]], count=20) -> Path:
    """A real 2021-02 street file's first rows with some fields changed: {line: {column: value}}."""
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", count)
    for line, changes in edits.items():
        row = next(csv.reader([lines[line - 1]]))
        for column, value in changes.items():
            row[column] = value
        out = []
        for v in row:
            out.append('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v)
        lines[line - 1] = ",".join(out)
    return write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines)
