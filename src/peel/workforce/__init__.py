"""Agenda item 3, leadership and wellbeing: the force's people, leadership training by rank,
sickness absence, wellbeing services and assaults on officers and staff."""
