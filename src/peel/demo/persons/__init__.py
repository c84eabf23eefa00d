"""The demo force's persons: a fictional population behind its events, written out as four
source-system extracts (each in its own format, with realistic recording errors) and, kept
apart, the ground truth of who every record really is (see docs/demo-persons.md).

Linkage is measured against that truth, so every error the extracts contain is applied at a
declared rate and flagged per record in the truth file. Everything is vectorised with numpy and
pandas so that the same code writes a million records in seconds for the linkage benchmark.

The modules, in the order a run goes through them (``generate.py`` runs them):

- ``parameters.py``: the declared rates, shapes and words, read from ``peel/demo/data/person_*``
- ``systems.py``: the four source systems and their extract files
- ``events.py``: the events persons are in (the demo force's, or stand-ins at any scale)
- ``population.py``: the true persons, their addresses and vehicles
- ``involvements.py``: who is in which event, one row per record, with its true values
- ``errors.py``: the source systems' data-entry errors
- ``extracts.py``: each source system's extract, in its own format
- ``truth.py``: who every record really is, written apart
- ``load.py``: the extracts into the warehouse, through their mappings
"""

from __future__ import annotations

from peel.demo.persons.events import synthesise_events
from peel.demo.persons.generate import generate_person_extracts, generate_person_population
from peel.demo.persons.load import load_person_extracts
from peel.demo.persons.systems import (
    CRIME_RECORDS,
    CUSTODY,
    EXTRACT_FILES,
    INCIDENTS,
    INTELLIGENCE,
    SOURCES,
)

__all__ = [
    "CRIME_RECORDS",
    "CUSTODY",
    "EXTRACT_FILES",
    "INCIDENTS",
    "INTELLIGENCE",
    "SOURCES",
    "generate_person_extracts",
    "generate_person_population",
    "load_person_extracts",
    "synthesise_events",
]
