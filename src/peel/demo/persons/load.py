"""Loading the demo persons' four extracts into the warehouse, each through its source
system's mapping, as a force's own extracts would be (``peel ingest mapped``)."""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from peel.demo.persons.systems import EXTRACT_FILES, SOURCES


def load_person_extracts(
    con, out_dir: Path, progress: Progress | None = None, named_as: Path | None = None
) -> dict:
    """Load the four extracts in ``out_dir/extracts/`` into the warehouse, one batch each,
    through their mappings (``peel/sources/mappings/demo_*.yaml``), replacing any earlier
    demo persons. The truth is not loaded. ``progress`` is an optional
    ``rich.progress.Progress`` to report the loads on. ``named_as`` is the folder the files
    will be moved to, to name them by (default ``out_dir``)."""
    from peel.sources.mapped import MAPPINGS_DIR, load_mapped

    progress = progress or Progress(disable=True)  # no caller's bar: report nowhere
    task = progress.add_task("Loading person extracts", total=len(SOURCES))
    results = {}
    for system in SOURCES:
        results[system] = load_mapped(
            con,
            Path(out_dir) / "extracts" / EXTRACT_FILES[system],
            MAPPINGS_DIR / f"{system}.yaml",
            snapshot=True,  # a new demo replaces the old one whole
            name=str(Path(named_as or out_dir) / "extracts" / EXTRACT_FILES[system]),
        )
        progress.advance(task)
    return results
