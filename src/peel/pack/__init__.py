"""The monthly meeting pack: HTML and PDF, one section per agenda item."""

from peel.pack.build import PackResult, build_pack

__all__ = ["PackResult", "build_pack"]
