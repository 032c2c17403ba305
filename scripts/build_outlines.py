"""Build registry/static/registry/outlines.geojson: approximate outlines of the French
regions and departments, the map's base layer when the tiles cannot be loaded (offline,
blocked, or the tile server down).

Not run by the application: its output ships with the project. Run it again after
scripts/build_geo.py (a new vintage of registry/data/):

    .venv/bin/python scripts/build_outlines.py

Why generated, not taken from a package: no package of French region or department
contours (GeoJSON or TopoJSON) was installed in the project when this was written
(``@etalab/decoupage-administratif`` holds codes and names, no contours). A package of
real contours would be better: replace this file's output with it when one is added.

Input: registry/data/communes.csv.gz — the commune positions of scripts/build_geo.py
(GeoNames data, CC BY 4.0; division of the COG 2026 of INSEE, Licence Ouverte 2.0).
The output is derived from GeoNames: CC BY 4.0, credited on the map.

Method (pure Python, no GIS library): a grid over each territory; each cell takes the
department of the nearest commune position closer than a territory's reach (else it is
sea or abroad); the edges between cells of different departments (or regions) are
chained into rings, simplified (Douglas–Peucker) and written as MultiPolygons. Outlines
are therefore approximate (the coast within a few kilometres): enough to see where a pole
is, not to draw a border.
"""

import csv
import gzip
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "registry" / "data"
OUT = ROOT / "registry" / "static" / "registry" / "outlines.geojson"

# territory: (department codes, cell size in degrees of latitude, reach in km)
TERRITORIES = {
    "metropole": (None, 0.04, 9.0),
    "971": (("971",), 0.01, 4.0),
    "972": (("972",), 0.01, 4.0),
    "973": (("973",), 0.08, 90.0),
    "974": (("974",), 0.01, 6.0),
    "976": (("976",), 0.005, 2.5),
}
KM_PER_DEGREE = 111.2


def read_points():
    points = []
    seen = set()
    with gzip.open(DATA / "communes.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source"] not in ("geonames", "commune", "epci") or not row["latitude"]:
                continue
            key = (row["latitude"], row["longitude"], row["department"])
            if key in seen:
                continue
            seen.add(key)
            points.append(
                (float(row["latitude"]), float(row["longitude"]), row["department"], row["region"])
            )
    return points


def label_grid(points, cell, reach_km):
    """{(row, col): department} for the cells within reach of a commune position."""
    mid_lat = sum(p[0] for p in points) / len(points)
    scale = math.cos(math.radians(mid_lat))
    dlat, dlon = cell, cell / scale
    reach = reach_km / KM_PER_DEGREE
    south = min(p[0] for p in points) - reach
    west = min(p[1] for p in points) - reach / scale
    north = max(p[0] for p in points) + reach
    east = max(p[1] for p in points) + reach / scale
    rows, cols = math.ceil((north - south) / dlat), math.ceil((east - west) / dlon)
    buckets = defaultdict(list)
    for lat, lon, dep, _region in points:
        buckets[(int((lat - south) / reach), int((lon - west) * scale / reach))].append(
            (lat, lon, dep)
        )
    grid = {}
    for i in range(rows):
        lat = south + (i + 0.5) * dlat
        bi = int((lat - south) / reach)
        for j in range(cols):
            lon = west + (j + 0.5) * dlon
            bj = int((lon - west) * scale / reach)
            best, best_d = None, reach * reach
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    for plat, plon, dep in buckets.get((bi + di, bj + dj), ()):
                        d = (plat - lat) ** 2 + ((plon - lon) * scale) ** 2
                        if d < best_d:
                            best, best_d = dep, d
            if best is not None:
                grid[(i, j)] = best
    fill_inland_gaps(grid, rows, cols)
    return grid, (south, west, dlat, dlon)


def fill_inland_gaps(grid, rows, cols):
    """Cells out of reach but enclosed by land (mountains with few communes) are land:
    the sea is what the outside of the grid reaches; the other empty cells take a
    neighbour's department, ring after ring."""
    sea = set()
    todo = [(i, j) for i in (-1, rows) for j in range(-1, cols + 1)]
    todo += [(i, j) for j in (-1, cols) for i in range(rows)]
    while todo:
        i, j = todo.pop()
        if (i, j) in sea or (i, j) in grid or not (-1 <= i <= rows and -1 <= j <= cols):
            continue
        sea.add((i, j))
        todo += [(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)]
    gaps = {(i, j) for i in range(rows) for j in range(cols)} - sea - grid.keys()
    while gaps:
        found = {}
        for i, j in gaps:
            for n in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if n in grid:
                    found[(i, j)] = grid[n]
                    break
        if not found:
            break
        grid.update(found)
        gaps -= found.keys()


def rings_of(grid, key):
    """Closed rings (lists of (x, y) grid corners) around the cells of each label,
    counter-clockwise for outer rings, clockwise for holes."""
    edges = defaultdict(lambda: defaultdict(list))  # label -> start -> [end]
    for (i, j), value in grid.items():
        label = key(value)

        def other(a, b, label=label):
            v = grid.get((a, b))
            return v is None or key(v) != label

        if other(i - 1, j):
            edges[label][(j, i)].append((j + 1, i))
        if other(i, j + 1):
            edges[label][(j + 1, i)].append((j + 1, i + 1))
        if other(i + 1, j):
            edges[label][(j + 1, i + 1)].append((j, i + 1))
        if other(i, j - 1):
            edges[label][(j, i + 1)].append((j, i))
    result = {}
    for label, starts in edges.items():
        rings = []
        while starts:
            start = next(iter(starts))
            ring = [start]
            point = start
            while True:
                ends = starts[point]
                end = ends.pop()
                if not ends:
                    del starts[point]
                if end == start:
                    break
                ring.append(end)
                point = end
            ring.append(start)
            rings.append(ring)
        result[label] = rings
    return result


def simplify(points, tolerance):
    """Douglas–Peucker on a closed ring (first == last)."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # split the ring at its farthest point from the start, so both halves are open lines
    far = max(range(len(points)), key=lambda k: _dist2(points[k], points[0]))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b <= a + 1:
            continue
        best, best_d = None, tolerance * tolerance
        for k in range(a + 1, b):
            d = _segment_dist2(points[k], points[a], points[b])
            if d > best_d:
                best, best_d = k, d
        if best is not None:
            keep[best] = True
            stack += [(a, best), (best, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _dist2(p, q):
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2


def _segment_dist2(p, a, b):
    length = _dist2(a, b)
    if length == 0:
        return _dist2(p, a)
    t = max(0, min(1, ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / length))
    return _dist2(p, (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))


def signed_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def inside(point, ring):
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


def polygons(rings, origin, *, min_cells):
    """GeoJSON MultiPolygon coordinates: each hole inside the outer ring that holds it;
    specks smaller than ``min_cells`` cells are dropped."""
    south, west, dlat, dlon = origin
    kept = [simplify(r, 0.75) for r in rings if abs(signed_area(r)) >= min_cells]
    kept = [r for r in kept if len(r) >= 4]
    outers = [[r] for r in kept if signed_area(r) > 0]
    for hole in (r for r in kept if signed_area(r) < 0):
        for polygon in outers:
            if inside(hole[0], polygon[0]) or inside(hole[len(hole) // 2], polygon[0]):
                polygon.append(hole)
                break

    def to_lonlat(ring):
        return [[round(west + x * dlon, 3), round(south + y * dlat, 3)] for x, y in ring]

    return [[to_lonlat(r) for r in polygon] for polygon in outers]


def main() -> int:
    points = read_points()
    departments = {}
    regions = {}
    with (DATA / "departments.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            departments[row["code"]] = (row["name"], row["region"])
    with (DATA / "regions.csv").open(encoding="utf-8") as handle:
        regions = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    features = []
    for codes, cell, reach in TERRITORIES.values():
        chosen = [p for p in points if (p[2] in codes if codes else not p[2].startswith("97"))]
        grid, origin = label_grid(chosen, cell, reach)
        min_cells = 8
        for level, key in (
            ("region", lambda dep: departments[dep][1]),
            ("department", lambda dep: dep),
        ):
            if codes is not None and level == "department":
                continue  # an overseas department is its own region
            for code, rings in sorted(rings_of(grid, key).items()):
                coordinates = polygons(rings, origin, min_cells=min_cells)
                if not coordinates:
                    continue
                name = regions.get(code) if level == "region" else departments[code][0]
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"level": level, "code": code, "name": name},
                        "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
                    }
                )
    collection = {
        "type": "FeatureCollection",
        "properties": {
            "source": "scripts/build_outlines.py from registry/data/communes.csv.gz "
            "(GeoNames, CC BY 4.0; COG 2026 of INSEE)",
            "licence": "CC BY 4.0 (derived from GeoNames)",
            "approximate": True,
        },
        "features": features,
    }
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(features)} outlines, {len(text) // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
