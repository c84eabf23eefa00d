"""The mapping language: what a mapping file may say, what it must, and the old linkage keys."""

from __future__ import annotations

import pytest
from tests.sources.mapped.extracts import write_mapping

from peel.sources.mapped import (
    DEFAULT_DATE_FORMATS,
    MAPPINGS_DIR,
    MappingError,
    check_for_ingest,
    read_mapping,
)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {nickname: n}\n",
            "unknown person field(s) ['nickname']",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\nevent: {kind: meeting, column: c}\n",
            "event needs kind",
        ),
        ("source_system: s\nrecord_id: id\nrole: x\nperson: {sex: g}\n", "person needs a name"),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {full_name: n, surname: s}\n",
            "person.full_name cannot be mapped with ['surname']",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s, address: a, postcode: p}\n",
            "person.address cannot be mapped with ['postcode']",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: 3}\n",
            "must name one column",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\nvehicles: {separator: ','}\n",
            "vehicles needs column",
        ),
        (
            'source_system: "s\'; DROP TABLE x"\nrecord_id: id\nrole: x\nperson: {surname: s}\n',
            "may hold only letters",
        ),
        (
            "source_system: s\nrecord_id: id\nrole: x\nperson: {surname: s}\ndate_formats: ['%d/%Q']\n",
            "date format '%d/%Q' is not a strptime format",
        ),
        ("person: {surname: s}\n", "'record_id' is required"),
        (
            "record_id: id\nperson: {surname: s}\nvalues: {sex: {Male: M}}\n",
            "values given for ['sex'], which person does not map",
        ),
        ("record_id: id\nperson: {surname: s}\nexact: [3]\n", "exact must name one column"),
        (
            "id: ref\nrecord_id: ref\nfields: {surname: s}\n",
            "'id' and 'record_id' say the same thing: keep only 'record_id'",
        ),
    ],
)
def test_read_mapping_rejects_a_bad_mapping_saying_what_to_fix(tmp_path, body, expected):
    path = write_mapping(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        read_mapping(path)
    assert expected in str(caught.value) and "map.yaml" in str(caught.value)


GOOD = "source_system: s\nrecord_id: id\nrole: x\nperson:\n  surname: s\n"  # lines 1 to 5


@pytest.mark.parametrize(
    "body, expected",
    [
        (GOOD + "vehicles: [v]\n", "line 6: vehicles must be a mapping"),
        (
            GOOD + "event:\n  kind: crime\n  column: [a, b]\n",
            "line 8: event.column must be one value",
        ),
        (
            GOOD + "event: {kind: event, event_type: x, column: c, fields: [a]}\n",
            "line 6: event.fields must be a mapping",
        ),
        (GOOD + "role: {column: r, values: [a]}\n", "line 6: role.values must be a mapping"),
        (GOOD + "values:\n  sex: [M, F]\n", "line 7: values.sex must be a mapping"),
        (GOOD + "date_formats: {a: b}\n", "line 6: date_formats must be one value or a list"),
        (GOOD.replace("record_id: id", "record_id: {a: b}"), "line 2: record_id must be one value"),
        (
            GOOD.replace("person:\n  surname: s", "person: [surname, s]"),
            "line 4: person must be a mapping",
        ),
        (GOOD.replace("role: x", "role: [x]"), "line 3: role must be one value (a column name"),
    ],
)
def test_read_mapping_names_the_line_of_a_value_of_the_wrong_kind(tmp_path, body, expected):
    # A list where a mapping is expected, or the reverse, is refused before it is read (it
    # was an AttributeError or TypeError), with the file, the line and what was expected.
    path = write_mapping(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        read_mapping(path)
    assert f"{path} {expected}" in str(caught.value)


def test_read_mapping_reads_a_date_format_written_as_a_number(tmp_path):
    # YAML reads 20240101 as a number: one format, not a TypeError.
    path = write_mapping(tmp_path, GOOD + "date_formats: 20240101\n")
    assert read_mapping(path).date_formats == ["20240101"]


@pytest.mark.parametrize(
    "body, expected",
    [
        ("record_id: id\nrole: x\nperson: {surname: s}\n", "'source_system' is required"),
        ("source_system: s\nrecord_id: id\nperson: {surname: s}\n", "'role' is required"),
    ],
)
def test_check_for_ingest_refuses_a_mapping_without_what_loading_needs(tmp_path, body, expected):
    # Linking a file needs neither: the same mapping reads, and loading it says what is missing.
    mapping = read_mapping(write_mapping(tmp_path, body))
    with pytest.raises(MappingError) as caught:
        check_for_ingest(mapping)
    assert expected in str(caught.value) and "map.yaml" in str(caught.value)


def test_read_mapping_reads_every_shipped_mapping():
    shipped = sorted(MAPPINGS_DIR.glob("*.yaml")) + sorted(
        (MAPPINGS_DIR.parents[1] / "linkage" / "mappings").glob("*.yaml")
    )
    assert len(shipped) == 6
    for path in shipped:
        mapping = read_mapping(path)
        assert mapping.old_keys == [], path
        assert mapping.fields, path


def test_read_mapping_takes_a_column_list_and_the_default_date_rule(tmp_path):
    mapping = read_mapping(
        write_mapping(
            tmp_path,
            """
            record_id: rec id
            person:
              surname: surname
              street: [address_1, "address 2"]
            values:
              surname: {X: Y}
            exact: "soc sec"
            """,
        )
    )
    assert mapping.record_id == "rec id"
    assert mapping.fields == {"surname": ["surname"], "street": ["address_1", "address 2"]}
    assert mapping.date_formats == list(DEFAULT_DATE_FORMATS)
    assert mapping.date_formats[:2] == ["%Y-%m-%d", "%d/%m/%Y"]  # ISO, then UK day-first
    assert mapping.exact == ["soc sec"]
    assert mapping.columns() == {
        "rec id": "record_id",
        "surname": "person.surname",
        "address_1": "person.street",
        "address 2": "person.street",
        "soc sec": "exact",
    }


def test_read_mapping_translates_the_old_linkage_keys(tmp_path):
    # `peel link file` mappings written before the one language keep working, read as the
    # language says it now: id -> record_id, fields -> person (its address, the street line,
    # -> street), date_format -> date_formats.
    old = read_mapping(
        write_mapping(
            tmp_path,
            """
            id: rec_id
            fields:
              forename: given_name
              address: [address_1, address_2]
            date_format: "%Y%m%d"
            exact: [soc_sec_id]
            """,
            name="old.yaml",
        )
    )
    new = read_mapping(
        write_mapping(
            tmp_path,
            """
            record_id: rec_id
            person:
              forename: given_name
              street: [address_1, address_2]
            date_formats: ["%Y%m%d"]
            exact: [soc_sec_id]
            """,
            name="new.yaml",
        )
    )
    assert old.old_keys == ["id", "fields", "date_format"] and new.old_keys == []
    for attribute in ("record_id", "fields", "date_formats", "exact", "values"):
        assert getattr(old, attribute) == getattr(new, attribute), attribute
