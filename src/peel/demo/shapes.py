"""Made-up boundaries for the demo force's neighbourhoods, so that its crimes can be mapped.

Nothing here is a real place. The force's outline is the convex hull of its neighbourhoods'
(generated) centres, enlarged by a tenth about its middle; each neighbourhood is the part of
that outline nearer to its centre than to any other's (a Voronoi cell, clipped to the
outline) and not far from it (within a 12-sided polygon around the centre, so that the few
neighbourhoods on the edge of a town do not stretch across the empty country between towns
and dominate the map). So the shapes never overlap, each lies within the force's outline,
and each contains its own centre.

The shapes are derived from the area table alone, with no random numbers: adding them changed
no generated record, and the same areas always give the same shapes.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from scipy.spatial import ConvexHull, Voronoi

from peel.demo.force import FORCE_CENTRE, SOURCE_SYSTEM

# Distances are measured in a plane where a degree of longitude is as long as it is at the
# force's latitude, so that the cells look right on a map.
X_SCALE = math.cos(math.radians(FORCE_CENTRE[0]))
OUTLINE_GROWTH = 1.1  # the outline is the hull of the centres, a tenth larger
# How far a neighbourhood reaches from its centre at most, in scaled degrees (about 6.7 km):
# some two and a half times the spread of a district's neighbourhoods (force.NEIGHBOURHOOD_SPREAD).
REACH = 0.06
DIGITS = 6  # decimal places of a coordinate (about 10 cm)
# A 12-sided polygon around the origin with radius 1, counter-clockwise.
AROUND = np.array([[math.cos(a), math.sin(a)] for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)])
SHAPE_COLUMNS = ["area_code", "geometry", "source_system", "source_record_id"]


def draw_area_shapes(areas: pd.DataFrame) -> pd.DataFrame:
    """Rows for the area_shape table: the force's outline and every neighbourhood's shape."""
    force_code = areas.loc[areas["level"] == "force", "area_code"].iloc[0]
    hoods = areas[areas["level"] == "neighbourhood"].sort_values("area_code")
    centres = np.column_stack([hoods["longitude"].to_numpy() * X_SCALE, hoods["latitude"].to_numpy()])
    outline = draw_outline(centres)
    shapes = [outline, *draw_cells(centres, outline)]
    codes = [force_code, *hoods["area_code"]]
    rows = [[code, json.dumps(to_geojson(ring)), SOURCE_SYSTEM, code] for code, ring in zip(codes, shapes)]
    return pd.DataFrame(rows, columns=SHAPE_COLUMNS)


def draw_outline(centres: np.ndarray) -> np.ndarray:
    """The convex hull of ``centres``, enlarged about its middle; counter-clockwise."""
    hull = centres[ConvexHull(centres).vertices]  # counter-clockwise in two dimensions
    middle = hull.mean(axis=0)
    return middle + (hull - middle) * OUTLINE_GROWTH


def draw_cells(centres: np.ndarray, outline: np.ndarray) -> list[np.ndarray]:
    """Each centre's Voronoi cell clipped to the (convex, counter-clockwise) ``outline``."""
    # Four far-away points close every real cell, so none is open to infinity.
    middle, reach = centres.mean(axis=0), np.ptp(centres, axis=0).max() * 10
    far = middle + reach * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    voronoi = Voronoi(np.vstack([centres, far]))
    cells = []
    for i in range(len(centres)):
        corners = voronoi.vertices[voronoi.regions[voronoi.point_region[i]]]
        cell = clip(sort_counter_clockwise(corners), outline)
        cells.append(clip(cell, centres[i] + REACH * AROUND))
    return cells


def sort_counter_clockwise(corners: np.ndarray) -> np.ndarray:
    """A convex polygon's corners in counter-clockwise order around their mean."""
    offset = corners - corners.mean(axis=0)
    return corners[np.argsort(np.arctan2(offset[:, 1], offset[:, 0]))]


def clip(polygon: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """The part of a convex ``polygon`` inside a convex counter-clockwise ``outline``
    (Sutherland-Hodgman: cut by each edge of the outline in turn)."""
    points = list(polygon)
    for a, b in zip(outline, np.roll(outline, -1, axis=0)):
        kept = []
        for p, q in zip(points, points[1:] + points[:1]):
            p_in, q_in = is_left(a, b, p), is_left(a, b, q)
            if p_in:
                kept.append(p)
            if p_in != q_in:
                kept.append(intersect(a, b, p, q))
        points = kept
    return np.array(points)


def is_left(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> bool:
    """Whether ``p`` is on the left of (or on) the line from ``a`` to ``b``."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0


def intersect(a: np.ndarray, b: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Where the segment ``p``-``q`` crosses the line through ``a`` and ``b``."""
    edge, segment = b - a, q - p
    t = (edge[0] * (a[1] - p[1]) - edge[1] * (a[0] - p[0])) / (edge[0] * segment[1] - edge[1] * segment[0])
    return p + t * segment


def to_geojson(ring: np.ndarray) -> dict:
    """A counter-clockwise ring in the scaled plane as a GeoJSON polygon in degrees."""
    lonlat = [[round(float(x) / X_SCALE, DIGITS), round(float(y), DIGITS)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [[*lonlat, lonlat[0]]]}
