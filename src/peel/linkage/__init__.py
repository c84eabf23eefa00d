"""Record linkage: person records from every source resolved into entities with Splink,
every link explainable and every accuracy figure measured against ground truth.

Its parts: ``resolve`` (link records into entities), ``files`` (``link_files``), ``mapping``
(``read_mapping``), ``evaluate``, ``explain``, ``match``, ``review`` and ``warehouse_run``.
They are not imported here: Splink and pandas take about half a second to load, which every
``peel`` command would otherwise pay at start-up.
"""
