"""A pack as HTML (and PDF, through WeasyPrint as the meeting pack is), marked with its
protective marking on every page, each statement with its citations, probabilistic links apart."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from markupsafe import Markup

from peel.intel.statements import SECTIONS
from peel.render import render_template

PDF_VARIANT = "pdf/ua-1"  # as the meeting pack: tagged, with language and title


def render_pack_html(pack: dict, status: str) -> str:
    by_section = defaultdict(list)
    for s in pack["statements"]:
        by_section[s["section"]].append(s)
    sections = [(key, title, by_section[key]) for key, title in SECTIONS.items() if by_section.get(key)]
    return render_template("intel/pack.html.j2", pack=pack, status=status, sections=sections,
                           css=Markup(_css()))


def write_pack(pack: dict, out_dir: Path, *, status: str, pdf: bool) -> dict[str, Path]:
    """Write pack.html (and pack.pdf) into ``out_dir``; return the paths by format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_pack_html(pack, status)
    paths = {"html": out_dir / "pack.html"}
    paths["html"].write_text(html, encoding="utf-8")
    if pdf:
        import weasyprint  # loads system libraries: only when a PDF is written

        paths["pdf"] = out_dir / "pack.pdf"
        weasyprint.HTML(string=html, base_url=str(out_dir)).write_pdf(paths["pdf"], pdf_variant=PDF_VARIANT)
    return paths


def _css() -> str:
    from importlib import resources

    return (resources.files("peel.intel") / "templates" / "pack.css").read_text(encoding="utf-8")
