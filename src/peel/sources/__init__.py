"""Loaders for external data sources into the warehouse (today: data.police.uk files).

Public face: ``load_outcome_mapping`` and ``sync_outcome_mapping`` (the police.uk outcome
wordings and what they mean), ``ingest_police_uk`` (load street and outcomes files).
"""

from peel.sources.outcomes import load_outcome_mapping, sync_outcome_mapping

__all__ = ["load_outcome_mapping", "sync_outcome_mapping"]
