"""Agenda item 1, crime performance: figures for any crime type, area and month (``compute``
over ``scope``), trend, seasonal and calendar-event patterns (``patterns``, ``events``), the
pack's Burglary section (``section``), and the ``peel measures`` and ``peel areas`` commands
(``cli``). Its measures are declared in ``measures.yaml``.

Nothing is imported here: the computation loads scipy and statsmodels, which a command that
only registers itself should not pay for.
"""
