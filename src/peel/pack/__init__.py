"""The monthly meeting pack: HTML and PDF, one section per agenda item.

Built by ``peel.pack.build.build_pack``; not imported here, because building loads the
measures' statistics and the PDF engine, which every ``peel`` command would otherwise pay
at start-up.
"""
