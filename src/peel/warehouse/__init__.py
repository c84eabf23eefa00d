"""The embedded DuckDB warehouse: POLE schema, connections, batches and provenance.

The schema lives in ``schema/*.sql``, applied in file-name order and recorded in
``schema_migration`` with its checksum; a file once applied is never edited (the warehouse
refuses to open if one is), a change is a new file.
"""

from peel.warehouse.database import (
    Batch,
    SchemaFileChanged,
    WarehouseBusy,
    WarehouseError,
    clear_quarantine,
    connect,
    open_batch,
    snapshot,
)

__all__ = ["Batch", "SchemaFileChanged", "WarehouseBusy", "WarehouseError", "clear_quarantine",
           "connect", "open_batch", "snapshot"]
