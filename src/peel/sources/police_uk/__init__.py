"""Loading data.police.uk street and outcomes files: ``ingest_police_uk`` (one batch per call)
and ``IngestError`` (what it raises when a load cannot go ahead). The steps live in
``files``, ``stage``, ``checks`` and ``write``; ``load`` runs them."""

from peel.sources.police_uk.checks import (
    FAR_FROM_UK_FLAG,
    MAX_REPORTED,
    read_crime_types,
    render_crime_types_table,
)
from peel.sources.police_uk.files import SOURCE_SYSTEM, IngestError, SourceFile, collect_files
from peel.sources.police_uk.load import IngestResult, ingest_police_uk
from peel.sources.police_uk.stage import stage_files

__all__ = [
    "FAR_FROM_UK_FLAG",
    "MAX_REPORTED",
    "SOURCE_SYSTEM",
    "IngestError",
    "IngestResult",
    "SourceFile",
    "collect_files",
    "ingest_police_uk",
    "read_crime_types",
    "render_crime_types_table",
    "stage_files",
]
