"""The YAML mapping that tells ``peel link file`` which columns of a CSV or Parquet file hold
which person fields, and the loading of such files into a table of raw person fields.

A mapping::

    id: rec_id                       # the column that identifies each record (required)
    fields:                          # any of the person fields (see settings.PERSON_FIELDS)
      forename: given_name
      surname: surname
      address: [address_1, address_2]   # several columns are joined with a space
      date_of_birth: dob
    date_format: "%d/%m/%Y"          # optional; default: ISO and UK day-first forms
    exact: [soc_sec_id]              # other columns compared exactly
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from peel.linkage.settings import PERSON_FIELDS


class MappingError(ValueError):
    """A mapping or an input file that cannot be used, with what to do about it."""


@dataclass(frozen=True)
class Mapping:
    id_column: str
    fields: dict[str, list[str]]
    exact: list[str] = field(default_factory=list)
    date_format: str | None = None


def read_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key at fault."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise MappingError(f"{path}: mapping file not found.") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict) or "id" not in data:
        raise MappingError(f"{path}: the mapping must name the id column, e.g. 'id: rec_id'.")
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise MappingError(f"{path}: 'fields' must map person fields to column names.")
    unknown = sorted(set(fields) - set(PERSON_FIELDS))
    if unknown:
        raise MappingError(
            f"{path}: unknown field(s) under 'fields': {', '.join(unknown)}. "
            f"Expected any of: {', '.join(PERSON_FIELDS)}."
        )
    exact = data.get("exact") or []
    if isinstance(exact, str):
        exact = [exact]
    return Mapping(
        id_column=str(data["id"]),
        fields={k: ([v] if isinstance(v, str) else [str(c) for c in v]) for k, v in fields.items()},
        exact=[str(c) for c in exact],
        date_format=data.get("date_format"),
    )


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read_relation(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> dict[str, str]:
    """Expose a CSV or Parquet file as a view; return its columns as {trimmed name: real name}."""
    if not path.exists():
        raise MappingError(f"{path}: input file not found.")
    if path.suffix.lower() in (".parquet", ".pq"):
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet({_quote(path)})")
    else:
        con.execute(
            f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_csv({_quote(path)}, "
            "header=true, all_varchar=true)"
        )
    # Some files (FEBRL) put a space after each comma in the header.
    return {r[0].strip(): r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()}


def load_files(
    con: duckdb.DuckDBPyConnection, inputs: list[Path], mapping: Mapping, raw_table: str
) -> bool:
    """Load every input into ``raw_table`` (unique_id, source_file, id, person fields).

    Returns True when ids repeat across files, so that output must say which file each id
    came from. Raises MappingError naming the file and column when a mapped column is missing.
    """
    selects = []
    for n, path in enumerate(inputs):
        path = Path(path)
        view = f"peel_input_{n}"
        cols = _read_relation(con, path, view)
        wanted = [("id", [mapping.id_column])] + list(mapping.fields.items()) + [
            (c, [c]) for c in mapping.exact
        ]
        for target, sources in wanted:
            for source in sources:
                if source not in cols:
                    raise MappingError(
                        f"{path}: column '{source}' (mapped to {target}) is not in the file. "
                        f"Its columns are: {', '.join(cols)}. Fix the mapping or the file."
                    )

        def expr(sources: list[str], cols: dict[str, str] = cols) -> str:
            parts = [f"nullif(trim(CAST(\"{cols[s]}\" AS VARCHAR)), '')" for s in sources]
            return parts[0] if len(parts) == 1 else f"nullif(concat_ws(' ', {', '.join(parts)}), '')"

        items = [f"{expr([mapping.id_column])} AS id", f"{n} AS source_file"]
        items += [f"{expr(src)} AS {target}" for target, src in mapping.fields.items()]
        items += [f"{expr([c])} AS \"{c}\"" for c in mapping.exact]
        selects.append(f"SELECT {', '.join(items)} FROM {view}")
    # Each file is read once, into raw_table; the checks below run on that table.
    union = " UNION ALL BY NAME ".join(selects)
    con.execute(f"CREATE OR REPLACE TABLE {raw_table} AS SELECT id AS unique_id, * FROM ({union})")
    problem = con.execute(
        f"""SELECT source_file, id, count(*) FROM {raw_table} GROUP BY source_file, id
        HAVING id IS NULL OR count(*) > 1 ORDER BY source_file, id NULLS FIRST LIMIT 1"""
    ).fetchall()
    if problem:
        n, dup, count = problem[0]
        path = Path(inputs[n])
        if dup is None:
            raise MappingError(
                f"{path}: {count} row(s) have no value in the id column "
                f"'{mapping.id_column}'. Every record needs an id."
            )
        raise MappingError(
            f"{path}: id '{dup}' appears {count} times in column '{mapping.id_column}'. "
            "Ids must be unique within a file."
        )
    collide = con.execute(
        f"SELECT count(*) FROM (SELECT id FROM {raw_table} GROUP BY id HAVING count(*) > 1)"
    ).fetchall()[0][0] > 0
    if collide:
        con.execute(f"UPDATE {raw_table} SET unique_id = source_file || ':' || id")
    return collide
