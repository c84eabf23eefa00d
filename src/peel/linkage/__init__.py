"""Record linkage: person records from every source resolved into entities with Splink,
every link explainable and every accuracy figure measured against ground truth.

Its parts: ``model`` (the linkage model: fields compared, blocking rules, thresholds),
``prepare`` (normalise records), ``resolve`` (link records into entities), ``files``
(``link_files``, reading files through the mapping language of ``peel.sources.mapped``),
``evaluate``, ``explain``, ``match``, ``review`` and ``warehouse_run``.
They are not imported here: Splink and pandas take about half a second to load, which every
``peel`` command would otherwise pay at start-up.
"""
