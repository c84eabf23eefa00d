"""The embedded DuckDB warehouse: POLE schema, connections, batches and provenance.

The schema lives in ``schema/*.sql``, applied in file-name order and recorded in
``schema_migration``; a file once applied is never edited, a change is a new file.
"""

from peel.warehouse.database import (
    Batch,
    WarehouseBusy,
    clear_quarantine,
    connect,
    open_batch,
    snapshot,
)

__all__ = ["Batch", "WarehouseBusy", "clear_quarantine", "connect", "open_batch", "snapshot"]
