"""The four source systems the demo persons are recorded in, named as their records are in the
warehouse (``person_record.source_system``), and the extract file each one writes.

Crime records and custody are the demo force's own systems (``peel.demo.force``,
``peel.demo.crimes``): a victim's record points at a crime those systems hold.
"""

from __future__ import annotations

from peel.demo.crimes import CUSTODY_SOURCE_SYSTEM as CUSTODY
from peel.demo.force import SOURCE_SYSTEM as CRIME_RECORDS

INTELLIGENCE = "demo_intelligence"
INCIDENTS = "demo_incidents"
SOURCES = (CRIME_RECORDS, CUSTODY, INTELLIGENCE, INCIDENTS)

EXTRACT_FILES = {
    CRIME_RECORDS: "crime_records_nominals.csv",
    CUSTODY: "custody_arrestees.csv",
    INTELLIGENCE: "intelligence_subjects.parquet",
    INCIDENTS: "incident_persons.csv",
}
