"""Agenda item 1, crime performance: the burglary section of the pack and its advice."""

from peel.crime.performance import CrimeSection, get_crime_section

__all__ = ["CrimeSection", "get_crime_section"]
