"""Loaders for external data sources into the warehouse.

Public face: ``load_outcome_mapping`` and ``sync_outcome_mapping`` (the police.uk outcome
wordings and what they mean), ``ingest_police_uk`` (load data.police.uk street and outcomes
files) and ``IngestError`` (what it raises when a load cannot go ahead). Person extracts
are loaded by ``peel.sources.mapped``.
"""

from peel.sources.outcomes import load_outcome_mapping, sync_outcome_mapping
from peel.sources.police_uk import IngestError, ingest_police_uk

__all__ = ["IngestError", "ingest_police_uk", "load_outcome_mapping", "sync_outcome_mapping"]
