"""Rendering shared by the meeting pack and the web app: one Jinja environment, and Vega-Lite
charts drawn as SVG on the server (so a PDF or a page needs no JavaScript and no network).

Each domain keeps its templates and chart specs in its own folder; a name says whose it is:
``crime/section.html.j2`` is ``peel/crime/templates/section.html.j2`` and the chart
``crime/monthly_counts`` is ``peel/crime/charts/monthly_counts.vl.json``. This module names
no domain.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import jinja2
from markupsafe import Markup, escape


def _find(name: str, folder: str, suffix: str = "") -> Traversable | None:
    """``owner/rest`` -> ``peel/<owner>/<folder>/<rest><suffix>``, or None if there is none."""
    owner, _, rest = name.partition("/")
    if not rest or not owner.isidentifier() or ".." in rest.split("/"):
        return None
    try:
        path = (resources.files(f"peel.{owner}") / folder).joinpath(*f"{rest}{suffix}".split("/"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


class PackageTemplateLoader(jinja2.BaseLoader):
    """Loads ``owner/name`` from the ``templates/`` folder of the package ``peel.owner``."""

    def get_source(self, environment, template):
        path = _find(template, "templates")
        if path is None:
            raise jinja2.TemplateNotFound(
                f"{template} (a template name is 'package/file', read from peel/package/templates/)"
            )
        return path.read_text(encoding="utf-8"), str(path), lambda: True


@cache
def get_environment() -> jinja2.Environment:
    """The one Jinja environment: autoescaped (values from data are text, never markup) and
    strict (a missing value is an error, not an empty string)."""
    return jinja2.Environment(
        loader=PackageTemplateLoader(),
        autoescape=jinja2.select_autoescape(["j2", "html"]),
        undefined=jinja2.StrictUndefined,
    )


def render_template(name: str, **context) -> str:
    return get_environment().get_template(name).render(**context)


def get_chart_spec(name: str, values: list[dict]) -> dict:
    """The Vega-Lite spec ``owner/chart`` with its data filled in."""
    path = _find(name, "charts", ".vl.json")
    if path is None:
        raise FileNotFoundError(f"No chart spec '{name}': expected peel/<package>/charts/<chart>.vl.json")
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["data"] = {"values": values}
    return spec


def render_chart(name: str, values: list[dict], description: str | None = None) -> Markup:
    """The chart ``owner/chart`` with ``values`` as inline SVG.

    ``description`` (what the chart shows, in a sentence) becomes the SVG's ``<title>`` and
    ``role="img"``: screen readers read it, and a tagged PDF gives it as the figure's
    alternative text."""
    import vl_convert  # loaded only when a chart is drawn: it is large

    svg = vl_convert.vegalite_to_svg(get_chart_spec(name, values))
    if description:
        start = svg.index("<svg")
        end = svg.index(">", start)
        svg = f'{svg[:end]} role="img"><title>{escape(description)}</title>{svg[end + 1:]}'
    return Markup(svg)


def render_chart_png(name: str, values: list[dict], scale: float = 2) -> bytes:
    """The same chart as a PNG image, ``scale`` times its size in pixels (sharp when printed)."""
    import vl_convert

    return vl_convert.vegalite_to_png(get_chart_spec(name, values), scale=scale)
