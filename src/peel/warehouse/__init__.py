"""The embedded DuckDB warehouse: POLE schema, connections, batches and provenance.

Loads write a new generation of the warehouse and publish it whole (``open_writer``);
readers see the newest published one and keep it while they read (``open_snapshot``,
``connect(read_only=True)``): see ``peel.warehouse.generations``.

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
from peel.warehouse.generations import close_snapshots, open_snapshot, open_writer

__all__ = ["Batch", "SchemaFileChanged", "WarehouseBusy", "WarehouseError", "clear_quarantine",
           "close_snapshots", "connect", "open_batch", "open_snapshot", "open_writer", "snapshot"]
