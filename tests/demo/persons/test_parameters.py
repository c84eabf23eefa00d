"""The declared rates, shapes and words: read from the data files as written, and a wrong
value refused with the file and the value named."""

from __future__ import annotations

import pandas as pd
import pytest

from peel.demo.datafiles import read_data_csv, read_data_yaml
from peel.demo.persons import SOURCES, parameters
from peel.demo.persons.parameters import (
    ERROR_KINDS,
    ERROR_RATES,
    SHAPE,
    read_error_kinds,
    read_shape,
)


def test_read_error_kinds_gives_every_source_a_rate_for_every_kind():
    assert set(ERROR_RATES) == set(SOURCES)
    assert all(list(ERROR_RATES[s]) == list(ERROR_KINDS) for s in SOURCES)
    assert ERROR_RATES["demo_custody"]["pnc_missing"] == 0.1
    assert ERROR_KINDS[0] == "forename_typo" and ERROR_KINDS[-1] == "row_cut_short"


def _errors_with(monkeypatch, change) -> None:
    table = read_data_csv(parameters.ERRORS_FILE, dtype=str)
    change(table)
    monkeypatch.setattr(parameters, "read_data_csv", lambda name, dtype=None: table)


def test_read_error_kinds_refuses_a_rate_that_is_not_a_share(monkeypatch):
    def change(table: pd.DataFrame) -> None:
        table.loc[table["error"] == "dob_missing", "demo_custody"] = "5%"

    _errors_with(monkeypatch, change)
    with pytest.raises(
        ValueError, match=r"error dob_missing, column demo_custody: expected a share"
    ):
        read_error_kinds()


def test_read_error_kinds_names_a_missing_source_column(monkeypatch):
    _errors_with(monkeypatch, lambda table: table.drop(columns="demo_incidents", inplace=True))
    with pytest.raises(ValueError, match="person_errors.csv: no column demo_incidents"):
        read_error_kinds()


def test_read_shape_refuses_subject_shares_that_do_not_add_up(monkeypatch):
    shape = read_data_yaml(parameters.SHAPE_FILE)
    shape["intel_subjects_per_report"] = {1: 0.7, 2: 0.2}
    monkeypatch.setattr(parameters, "read_data_yaml", lambda name: shape)
    with pytest.raises(ValueError, match="intel_subjects_per_report add up to 0.9"):
        read_shape()


def test_declared_names_the_file_a_missing_value_belongs_in():
    assert SHAPE["offender_share"] == 0.1
    with pytest.raises(KeyError, match="person_shape.yaml declares no 'giraffe_share'"):
        SHAPE["giraffe_share"]
