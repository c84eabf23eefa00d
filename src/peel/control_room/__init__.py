"""Agenda item 5, resource management: the control room's demand, its answer and attendance
performance, forecasts by the hour and the staffing they need, proposed for a person to decide."""
