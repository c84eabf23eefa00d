"""Fingerprint every figure peel reports, so a refactor can show that none changed.

Builds two warehouses in a scratch folder (the demo force as `make demo` makes it, and the
real Hertfordshire files in tests/data), runs `peel measures --format json` for a grid of
crime types, areas and months on each, writes the March 2026 pack, and prints one JSON
document: the measures output and the pack's text with its generation time removed.

    python scripts/figures.py > before.json      # on the old commit
    python scripts/figures.py > after.json       # on the new one
    diff before.json after.json                   # empty: no figure changed

Only the `peel` command is used, so the script runs unchanged on any commit that has it.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEEL = str(Path(sys.executable).parent / "peel")

DEMO_GRID = {
    "crime_types": ["burglary", "residential-burglary", "shoplifting", "all-crime", "vehicle-crime"],
    "months": ["2026-03", "2025-11", "2024-01"],
    "areas": ["", "Brackenholt", "Corvedon"],
}
REAL_GRID = {
    "crime_types": ["burglary", "all-crime", "shoplifting", "violence-and-sexual-offences"],
    "months": ["2022-01", "2021-12", "2021-06"],
    "areas": ["", "Broxbourne", "St Albans"],
}


def _peel(home: Path, *args: str) -> str:
    env = os.environ | {"PEEL_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run([PEEL, *args], check=False, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip()}"
    return done.stdout


def _measures(home: Path, grid: dict) -> dict:
    result = {}
    for crime_type in grid["crime_types"]:
        for month in grid["months"]:
            for area in grid["areas"]:
                args = ["measures", "--crime-type", crime_type, "--month", month, "--format", "json"]
                if area:
                    args += ["--area", area]
                key = f"{crime_type} {month} {area or 'force'}"
                out = _peel(home, *args)
                try:
                    result[key] = json.loads(out)
                except json.JSONDecodeError:
                    result[key] = out
    return result


def _pack_text(home: Path, month: str) -> str:
    out = home / "pack"
    failed = _peel(home, "pack", "--month", month, "--out", str(out))
    if not (out / "pack.html").exists():
        return failed
    page = (out / "pack.html").read_text(encoding="utf-8")
    page = re.sub(r"<style.*?</style>", "", page, flags=re.DOTALL)
    page = re.sub(r"<svg.*?</svg>", "[chart]", page, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    text = re.sub(r"Generated on [^;.]*", "Generated on [time]", text)
    text = re.sub(r"\d{2} \w+ \d{4} \d{2}:\d{2} \w+", "[time]", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "[time]", text)  # when the data was loaded
    return " ".join(text.split())


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        demo, real = Path(scratch, "demo"), Path(scratch, "real")
        _peel(demo, "demo-data", "--no-persons")
        data = ROOT / "tests" / "data" / "police_uk"
        files = sorted(str(p) for p in data.glob("*.zip"))
        _peel(real, "ingest", "police-uk", *files)
        report = {
            "demo": _measures(demo, DEMO_GRID),
            "demo_pack": _pack_text(demo, "2026-03"),
            "real": _measures(real, REAL_GRID),
            "real_pack": _pack_text(real, "2022-01"),
        }
    json.dump(report, sys.stdout, indent=1, sort_keys=True, default=str)
    print()


if __name__ == "__main__":
    main()
