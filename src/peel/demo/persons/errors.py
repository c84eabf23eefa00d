"""The source systems' data-entry errors: each record's true values turned into what its
system recorded, every error flagged in the truth.

``apply_errors`` applies each kind of error (``data/person_errors.csv``) at its declared rate
for the record's source system, among the records where it is possible: a typo in a name, a
nickname for the forename (from ``names/nicknames.csv``), a date of birth with day and month
swapped, the address the person had left, a missing value, a misread number plate. Linkage is
measured against the truth, so each record carries one ``err_<kind>`` flag per kind.
"""

from __future__ import annotations

import csv
import random
from importlib import resources

import numpy as np
import pandas as pd

from peel.demo.datafiles import DATA_FOLDER
from peel.demo.persons.parameters import (
    ERROR_KINDS,
    ERROR_RATES,
    ERRORS_FILE,
    VRM_LETTERS,
    VRM_LOOKALIKES,
)
from peel.demo.persons.systems import SOURCES


def read_nicknames() -> dict[str, list[str]]:
    """Return formal forename -> its usual short forms, from names/nicknames.csv."""
    path = resources.files("peel.demo") / "names" / "nicknames.csv"
    text = path.read_text(encoding="utf-8")
    shorts: dict[str, list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        shorts.setdefault(row["formal"], []).append(row["short"])
    return shorts


def _mistype(word: str, r: random.Random) -> str:
    """Return ``word`` with one keying slip: a letter changed, dropped, doubled or swapped."""
    if not word:
        return word
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(5):
        i = r.randrange(1, len(word)) if len(word) > 2 else r.randrange(len(word))
        op = r.randrange(4)
        if op == 0:
            out = word[:i] + r.choice(letters) + word[i + 1 :]
        elif op == 1 and len(word) > 3:
            out = word[:i] + word[i + 1 :]
        elif op == 2:
            out = word[:i] + word[i] + word[i:]
        else:
            out = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if i > 0 else word
        if out.lower() != word.lower():
            return out
    return word + "e"


def _draw_mask(rng, n: int, rate: float, eligible: np.ndarray | None = None) -> np.ndarray:
    draw = rng.random(n) < rate
    return draw if eligible is None else (draw & eligible)


def apply_errors(
    rec: pd.DataFrame, rng: np.random.Generator, r: random.Random, nicknames: dict[str, list[str]]
) -> pd.DataFrame:
    """Turn true values into what each source recorded, flagging every error applied."""
    n = len(rec)
    out = rec.copy()
    flags = {}

    system = rec["source_system"].to_numpy()
    of_source = {s: system == s for s in SOURCES}

    def mask(kind, eligible=None):
        # Rates differ by source: draw per source so each gets its declared share.
        m = np.zeros(n, dtype=bool)
        for s, sel in of_source.items():
            el = None if eligible is None else eligible[sel]
            m[sel] = _draw_mask(rng, int(sel.sum()), ERROR_RATES[s][kind], el)
        flags[f"err_{kind}"] = m
        return m

    # Names.
    fore = out["forename"].to_numpy(dtype=object)
    sur = out["surname"].to_numpy(dtype=object)
    has_short = np.array([f in nicknames for f in fore])
    m = mask("nickname", has_short)
    fore[m] = [r.choice(nicknames[f]) for f in fore[m]]
    m = mask("forename_typo")
    fore[m] = [_mistype(f, r) for f in fore[m]]
    m = mask("surname_typo")
    sur[m] = [_mistype(s, r) for s in sur[m]]
    m = mask("names_swapped")
    fore[m], sur[m] = sur[m].copy(), fore[m].copy()
    m = mask("name_partial")
    fore[m] = None
    out["forename"], out["surname"] = fore, sur
    out.loc[m, "middle_name"] = None

    # Vehicle marks mentioned (intelligence), misread now and then.
    vrm = out["vrm"].to_numpy(dtype=object)
    mask("row_cut_short")  # done by the writer: see _cut_rows_short
    m = mask("vrm_typo", pd.notna(vrm))
    vrm[m] = [_misread_vrm(v, r) for v in vrm[m]]
    out["vrm"] = vrm

    # Dates of birth.
    dob = out["date_of_birth"]
    day, month = dob.dt.day.to_numpy(), dob.dt.month.to_numpy()
    m = mask("dob_day_month_swapped", (day <= 12) & (day != month))
    swapped = pd.to_datetime(
        pd.DataFrame({"year": dob.dt.year[m], "month": day[m], "day": month[m]})
    )
    dob = dob.copy()
    dob[m] = swapped.to_numpy()
    m = mask("dob_typo")
    dob[m] = [_shift_date(d, r) for d in dob[m]]
    m = mask("dob_missing")
    dob[m] = pd.NaT
    out["date_of_birth"] = dob

    # Addresses: a stale address is the one the person left; missing is none at all.
    stale = mask("stale_address", out["prev_address_id"].notna().to_numpy())
    for col in ("house_number", "street", "town", "postcode"):
        out.loc[stale, col] = out.loc[stale, f"prev_{col}"]
    out.loc[stale, "address_id"] = out.loc[stale, "prev_address_id"]
    m = mask("address_missing")
    out.loc[m, ["house_number", "street", "town", "postcode", "address_id"]] = None
    pc = out["postcode"].to_numpy(dtype=object)
    m = mask("postcode_variant", pd.notna(pc))
    style = rng.integers(0, 3, n)
    pc[m & (style == 0)] = [p.replace(" ", "") for p in pc[m & (style == 0)]]
    pc[m & (style == 1)] = [p.lower() for p in pc[m & (style == 1)]]
    pc[m & (style == 2)] = [p.replace(" ", "  ").lower() for p in pc[m & (style == 2)]]
    out["postcode"] = pc

    for kind, col in (
        ("phone_missing", "phone"),
        ("email_missing", "email"),
        ("pnc_missing", "pnc_id"),
    ):
        m = mask(kind, out[col].notna().to_numpy())
        out.loc[m, col] = None
    unknown = [kind for kind in ERROR_KINDS if f"err_{kind}" not in flags]
    if unknown:
        raise ValueError(
            f"{DATA_FOLDER}/{ERRORS_FILE} lists {', '.join(unknown)}, which the generator does "
            f"not know how to apply: remove the row, or apply the error in {__name__}."
        )
    return pd.concat(
        [out, pd.DataFrame(flags, index=out.index)[[f"err_{k}" for k in ERROR_KINDS]]], axis=1
    )


def _misread_vrm(vrm: str, r: random.Random) -> str:
    """A registration mark with one character misread."""
    positions = [i for i, ch in enumerate(vrm) if ch != " "]
    i = r.choice(positions)
    ch = vrm[i]
    new = VRM_LOOKALIKES.get(ch) or r.choice(
        [c for c in VRM_LETTERS if c != ch]
        if ch.isalpha()
        else [d for d in "0123456789" if d != ch]
    )
    return vrm[:i] + new + vrm[i + 1 :]


def _shift_date(d: pd.Timestamp, r: random.Random) -> pd.Timestamp:
    """A date keyed wrongly: a day or a month out, or a year digit slipped."""
    for _ in range(5):
        op = r.randrange(4)
        try:
            if op == 0:
                new = d + pd.Timedelta(days=r.choice([-1, 1]))
            elif op == 1:
                new = d.replace(month=(d.month % 12) + 1)
            elif op == 2:
                new = d.replace(year=d.year + r.choice([-1, 1]))
            else:
                new = d.replace(year=d.year + r.choice([-10, 10]))
        except ValueError:
            continue
        return new
    return d + pd.Timedelta(days=1)
