"""Labelled data sets of other shapes from the persons generator."""

from __future__ import annotations

import pandas as pd

from peel.demo.persons.labelled import SHAPES, generate_labelled_set, write_labelled_set


def test_generate_labelled_set_gives_the_same_rows_for_the_same_seed():
    a = generate_labelled_set("historic", 50, seed=3)
    pd.testing.assert_frame_equal(a, generate_labelled_set("historic", 50, seed=3))
    assert not a.equals(generate_labelled_set("historic", 50, seed=4))


def test_generate_labelled_set_has_the_shape_it_declares():
    frame = generate_labelled_set("historic", 400, seed=1)
    shape = SHAPES["historic"]
    years = pd.to_numeric(frame.date_of_birth.str[:4], errors="coerce").dropna()
    assert years.min() >= shape.born_from and years.max() <= shape.born_to
    assert 0.4 < frame.date_of_birth.isna().mean() < 0.6
    assert frame.true_person.nunique() == 400 and len(frame) > 2 * 400
    assert frame.full_name.str.contains(", ").mean() > 0.3  # 'SURNAME, Forename'
    assert frame.full_name.str.match(r"^(Mr|Mrs|Miss|Dr|Rev|Sir) ").any()
    assert set(frame.columns) >= {"id", "town", "birthplace", "occupation"}


def test_write_labelled_set_writes_the_data_and_its_mapping(tmp_path):
    data, mapping = write_labelled_set("names_only", 20, 5, tmp_path)
    assert list(pd.read_csv(data).columns) == ["id", "true_person", "forename", "surname",
                                               "date_of_birth", "town"]
    assert mapping.read_text() == ("record_id: id\nperson:\n  forename: forename\n"
                                   "  surname: surname\n  date_of_birth: date_of_birth\n"
                                   "  town: town\n")
