"""The persons generator's declared rates, shapes and words, read once (when it is imported)
from three data files in ``peel/demo/data/``, each opening with notes on what it holds:

- ``person_errors.csv``: each kind of recording error, what it means, its rate per source system
- ``person_shape.yaml``: how the population and its involvement in events are shaped
- ``person_words.yaml``: the words and formats the records are written with

A value missing or out of range stops the generator with a message naming the file and the
value, before anything is drawn.
"""

from __future__ import annotations

from numbers import Real

from peel.demo.datafiles import DATA_FOLDER, read_data_csv, read_data_yaml
from peel.demo.persons.systems import SOURCES

ERRORS_FILE = "person_errors.csv"
SHAPE_FILE = "person_shape.yaml"
WORDS_FILE = "person_words.yaml"


class Declared(dict):
    """Values read from one data file: asking for one it lacks says which file to add it to."""

    def __init__(self, values: dict, file: str) -> None:
        super().__init__(values)
        self.file = file

    def __missing__(self, key: str):
        raise KeyError(
            f"{DATA_FOLDER}/{self.file} declares no '{key}': add it (see the notes at its top)."
        )


def _number(value, where: str, most: float | None = None) -> float:
    # bool is a number to Python, never to whoever wrote 'yes' in a data file.
    number = isinstance(value, Real) and not isinstance(value, bool)
    if not number or value < 0 or (most is not None and value > most):
        expected = "a number, 0 or more" if most is None else f"a share from 0 to {most:g}"
        raise ValueError(f"{DATA_FOLDER}/{where}: expected {expected}, got {value!r}.")
    return value


def _shares(values, where: str) -> dict:
    if not isinstance(values, dict) or not values:
        raise ValueError(f"{DATA_FOLDER}/{where}: expected 'name: share' lines, got {values!r}.")
    return {key: _number(share, f"{where}, {key}", most=1) for key, share in values.items()}


def _words(values: Declared, key: str) -> list[str]:
    words = values[key]
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise ValueError(
            f"{DATA_FOLDER}/{values.file}: '{key}' must be a list of words, e.g. [A, B]."
        )
    return words


def _text(values: Declared, key: str) -> str:
    text = values[key]
    if not isinstance(text, str) or not text:
        raise ValueError(f"{DATA_FOLDER}/{values.file}: '{key}' must be text, e.g. '{key}: ABC'.")
    return text


def _text_pairs(values: Declared, key: str) -> dict[str, str]:
    pairs = values[key]
    if not isinstance(pairs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in pairs.items()
    ):
        raise ValueError(
            f"{DATA_FOLDER}/{values.file}: '{key}' must be 'text: text' pairs, digits in quotes "
            f'(e.g. "0": "O"), found {pairs!r}.'
        )
    return pairs


def read_error_kinds() -> tuple[tuple[str, ...], dict, dict, dict]:
    """Return the error kinds in order, and per kind its rate by source system, its meaning and
    the records it can apply to (``person_errors.csv``)."""
    table = read_data_csv(ERRORS_FILE, dtype=str)  # rates as written: float() reads them exactly
    columns = ["error", "meaning", "rate_is_a_share_of", *SOURCES]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{DATA_FOLDER}/{ERRORS_FILE}: no column {', '.join(missing)}; "
            f"the header must be {','.join(columns)}."
        )
    kinds = tuple(table["error"])
    repeated = sorted({kind for kind in kinds if kinds.count(kind) > 1})
    if repeated:
        raise ValueError(
            f"{DATA_FOLDER}/{ERRORS_FILE}: {', '.join(repeated)} listed twice: one row per error."
        )
    rates = {}
    for system in SOURCES:
        by_kind = {}
        for kind, text in zip(kinds, table[system]):
            try:
                rate = float(text)
            except ValueError:
                rate = text
            by_kind[kind] = _number(rate, f"{ERRORS_FILE}, error {kind}, column {system}", most=1)
        rates[system] = Declared(by_kind, ERRORS_FILE)
    meanings = dict(zip(kinds, table["meaning"]))
    applies_to = dict(zip(kinds, table["rate_is_a_share_of"]))
    return kinds, rates, meanings, applies_to


def _one_of(values: Declared, key: str) -> dict:
    # Shares of a draw of one among several: they must add up to 1.
    shares = _shares(values[key], f"{values.file}, {key}")
    if abs(sum(shares.values()) - 1) > 1e-9:
        raise ValueError(
            f"{DATA_FOLDER}/{values.file}: the shares of {key} add up to "
            f"{sum(shares.values()):g}: make them add up to 1."
        )
    return shares


def read_shape() -> tuple[Declared, dict, dict, dict, dict]:
    """Return the shape's numbers, and its four tables of shares (``person_shape.yaml``)."""
    values = Declared(read_data_yaml(SHAPE_FILE), SHAPE_FILE)
    by_type = ("victim_share_by_type", "suspect_share_by_type")
    one_of = ("intel_subjects_per_report", "stand_in_crime_types")
    victims, suspects = (_shares(values[key], f"{SHAPE_FILE}, {key}") for key in by_type)
    subjects, stand_in = (_one_of(values, key) for key in one_of)
    numbers = {
        k: _number(v, f"{SHAPE_FILE}, {k}") for k, v in values.items() if k not in by_type + one_of
    }
    return Declared(numbers, SHAPE_FILE), victims, suspects, subjects, stand_in


# Each kind of error, in the order of the truth file's err_ columns; rate per source system.
ERROR_KINDS, ERROR_RATES, ERROR_MEANINGS, ERROR_APPLIES_TO = read_error_kinds()

# How the population and its involvement in events are shaped.
(
    SHAPE,
    VICTIM_SHARE_BY_TYPE,
    SUSPECT_SHARE_BY_TYPE,
    INTEL_SUBJECTS_PER_REPORT,
    STAND_IN_CRIME_TYPES,
) = read_shape()

_WORDS = Declared(read_data_yaml(WORDS_FILE), WORDS_FILE)
STANDALONE_INCIDENT_TYPES = _words(_WORDS, "standalone_incident_types")
INTEL_GRADINGS = _words(_WORDS, "intel_gradings")
STREET_SUFFIXES = _words(_WORDS, "street_suffixes")
FALLBACK_TOWNS = _words(_WORDS, "fallback_towns")
STAND_IN_EXTRA_TOWNS = _words(_WORDS, "stand_in_extra_towns")
POSTCODE_AREA = _text(_WORDS, "postcode_area")
INWARD_LETTERS = list(_text(_WORDS, "postcode_inward_letters"))
EMAIL_DOMAINS = _words(_WORDS, "email_domains")
VRM_LETTERS = list(_text(_WORDS, "vrm_letters"))
VRM_LOOKALIKES = _text_pairs(_WORDS, "vrm_lookalikes")
PHONE_STYLES = _text_pairs(_WORDS, "phone_styles")
