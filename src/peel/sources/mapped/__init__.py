"""Extracts read through a mapping: the mapping language (``mapping``), reading an extract
(``files``), the SQL that reads its fields (``fields``), and loading a person extract into
the warehouse (``load_mapped``: ``stage``, ``checks``, ``write``). ``peel link file`` reads
its files through the same mapping and reader."""

from pathlib import Path

from peel.sources.mapped.files import Extract, read_extract
from peel.sources.mapped.load import collect_mapped, load_mapped
from peel.sources.mapped.mapping import (
    DEFAULT_DATE_FORMATS,
    PERSON,
    PERSON_FIELDS,
    FieldSet,
    Mapping,
    MappingError,
    check_for_ingest,
    read_mapping,
)

# The mappings shipped with peel (the demo force's four source systems).
MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "mappings"

__all__ = [
    "DEFAULT_DATE_FORMATS",
    "MAPPINGS_DIR",
    "PERSON",
    "PERSON_FIELDS",
    "Extract",
    "FieldSet",
    "Mapping",
    "MappingError",
    "check_for_ingest",
    "collect_mapped",
    "load_mapped",
    "read_extract",
    "read_mapping",
]
