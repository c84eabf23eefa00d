"""Live facial recognition governance (agenda item 2): peel governs a vendor's matcher and never
matches faces or stores a face, an image or a template.

``rules`` (the 7-day notice on the UK clock, ranks and categories from ``rules.yaml``),
``register`` (plan, authorise, confirm; results and deletion evidence), ``alerts`` (by hand or
from the vendor's export through ``mappings/``; subjects read with role, purpose and audit),
``scrutiny`` (surveys and reviews), ``stats`` (the exact false-alert bound, survey margins),
``figures`` (the declared measures of ``measures.yaml`` and the rest), ``section`` (item 2 of
the pack), ``public`` (the public register and its feeds), ``cli`` and ``web``.
"""
