#!/usr/bin/env python3
"""Generate the arenagap demo city.

EVERYTHING HERE IS SYNTHETIC AND INVENTED. The districts, names, children and
arenas do not describe any real place or person; they only sit near
Göteborg's SWEREF 99 TM coordinates so that the numbers look familiar.

Usage (from the repository root):

    python3 data/demo/make_demo.py            # data/demo/*.geojson (standard library only)
    python3 data/demo/make_demo.py --formats  # also tests/fixtures/demo_formats/ (needs pyshp, pyproj)

The output is fully determined by the seed below: running it again gives
byte-identical files.

Built-in patterns (asserted below; the script fails loudly if one is missing):
  1. "Billdal pattern": Sjöviken (D01), a coastal suburb in the south-west,
     has over 1,000 children and no arena of any kind within 2,500 m of any of
     them (only a school, which is not an arena). It is by far the worst gap.
  2. Åkervallen (D03) has a library and an open preschool but no
     familjecentral.
  3. The other districts are mostly served (most children within 1 km of an
     arena), with two smaller partial gaps (a few hundred children each) in
     Tallmyra (D12) and Mölnhagen (D04).
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import sys
import warnings

SEED = 20261126
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
FMT_DIR = os.path.join(REPO, "tests", "fixtures", "demo_formats")

CRS_3006 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
PRJ_3007 = (
    'PROJCS["SWEREF99_12_00",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",'
    'SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",150000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",12.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)

# Radii the tool uses (metres).
R_ANY = 1000.0
R_FC = 2500.0
R_OTHER = 1500.0

KIND_RAW = {
    "fc": "Familjecentral",
    "of": "Öppen förskola",
    "bib": "Bibliotek",
    "lek": "Bemannad lekplats",
    "skola": "Skola",  # not an arena: the tool must report it as unmapped
}

# --------------------------------------------------------------------------
# Geometry helpers (plain Python)
# --------------------------------------------------------------------------


def r2(v: float) -> float:
    return round(v, 2)


def signed_area(ring):
    """Shoelace; ring may or may not repeat its first point. >0 = CCW."""
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    s = 0.0
    for i in range(len(pts)):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % len(pts)]
        s += x1 * y2 - x2 * y1
    return s / 2.0


def orient(ring, ccw: bool):
    """Return a closed copy of ring with the wanted orientation."""
    pts = list(ring[:-1] if ring[0] == ring[-1] else ring)
    if (signed_area(pts) > 0) != ccw:
        pts.reverse()
    return pts + [pts[0]]


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y):
            xc = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < xc:
                inside = not inside
        j = i
    return inside


def point_in_polygon(x, y, poly):
    """poly = [exterior, hole, hole, ...]"""
    if not point_in_ring(x, y, poly[0]):
        return False
    return not any(point_in_ring(x, y, h) for h in poly[1:])


def point_in_multi(x, y, polys):
    return any(point_in_polygon(x, y, p) for p in polys)


def segs_intersect(p1, p2, p3, p4):
    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    d1 = cross(p3, p4, p1)
    d2 = cross(p3, p4, p2)
    d3 = cross(p1, p2, p3)
    d4 = cross(p1, p2, p4)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0) and d1 * d2 < 0 and d3 * d4 < 0


def ring_is_simple(ring):
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    n = len(pts)
    segs = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if segs_intersect(*segs[i], *segs[j]):
                return False
    return len(set(pts)) == n


def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


# --------------------------------------------------------------------------
# The city
# --------------------------------------------------------------------------

# Grid of 4 x 3 cells (row 0 = south). Node (i, j): column line i, row line j.
XS = [309000.0, 314500.0, 320000.0, 325200.0, 330200.0]
YS = [6385500.0, 6393500.0, 6401500.0, 6409500.0]

# (col, row) -> (id, name). West column is the coast.
CELLS = {
    (0, 0): ("D01", "Sjöviken"),
    (1, 0): ("D02", "Källbäcken"),
    (2, 0): ("D03", "Åkervallen"),
    (3, 0): ("D04", "Mölnhagen"),
    (0, 1): ("D05", "Västerslätt"),
    (1, 1): ("D06", "Ängsbacka"),
    (2, 1): ("D07", "Sjöbo"),
    (3, 1): ("D08", "Östra Lyckan"),
    (0, 2): ("D09", "Norra Hamnen"),
    (1, 2): ("D10", "Björkåsen"),
    (2, 2): ("D11", "Furuhöjd"),
    (3, 2): ("D12", "Tallmyra"),
}


def build_nodes(rng):
    nodes = {}
    for i, x in enumerate(XS):
        for j, y in enumerate(YS):
            jx = rng.uniform(-700, 700)
            jy = rng.uniform(-900, 900)
            if i == 0:  # coast: bigger east-west swing
                jx = rng.uniform(-900, 1300)
            nodes[(i, j)] = (x + jx, y + jy)
    # The south-west coast bulges west a little (the Billdal-like shore).
    x, y = nodes[(0, 0)]
    nodes[(0, 0)] = (x - 600, y)
    return nodes


def build_edges(rng, nodes):
    """Each grid edge becomes a wiggly polyline shared by both neighbours."""
    edges = {}

    def make(a, b, n_mid, amp):
        pa, pb = nodes[a], nodes[b]
        dx, dy = pb[0] - pa[0], pb[1] - pa[1]
        length = math.hypot(dx, dy)
        nx, ny = -dy / length, dx / length
        pts = [pa]
        for k in range(1, n_mid + 1):
            t = k / (n_mid + 1) + rng.uniform(-0.05, 0.05)
            off = rng.uniform(-amp, amp)
            pts.append((pa[0] + dx * t + nx * off, pa[1] + dy * t + ny * off))
        pts.append(pb)
        edges[(a, b)] = pts

    for i in range(len(XS)):
        for j in range(len(YS)):
            if i + 1 < len(XS):  # horizontal edge (i,j)-(i+1,j)
                outer = j in (0, len(YS) - 1)
                make((i, j), (i + 1, j), 3 if outer else 2, 350 if outer else 450)
            if j + 1 < len(YS):  # vertical edge (i,j)-(i,j+1)
                if i == 0:
                    make((i, j), (i, j + 1), 9, 650)  # the coastline
                else:
                    outer = i == len(XS) - 1
                    make((i, j), (i, j + 1), 3 if outer else 2, 350 if outer else 450)
    return edges


def edge_path(edges, a, b):
    if (a, b) in edges:
        return edges[(a, b)]
    return list(reversed(edges[(b, a)]))


def cell_ring(edges, i, j):
    corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
    ring = []
    for k in range(4):
        ring.extend(edge_path(edges, corners[k], corners[(k + 1) % 4])[:-1])
    return ring


def bilinear(nodes, i, j, u, v):
    p00, p10 = nodes[(i, j)], nodes[(i + 1, j)]
    p01, p11 = nodes[(i, j + 1)], nodes[(i + 1, j + 1)]
    x = (1 - u) * (1 - v) * p00[0] + u * (1 - v) * p10[0] + (1 - u) * v * p01[0] + u * v * p11[0]
    y = (1 - u) * (1 - v) * p00[1] + u * (1 - v) * p10[1] + (1 - u) * v * p01[1] + u * v * p11[1]
    return (x, y)


def blob(rng, cx, cy, r, n):
    """An irregular closed ring (lake, island) around (cx, cy)."""
    pts = []
    for k in range(n):
        a = 2 * math.pi * k / n
        rr = r * rng.uniform(0.75, 1.2)
        pts.append((cx + rr * math.cos(a) * 1.3, cy + rr * math.sin(a)))
    return pts


def build_districts(rng):
    nodes = build_nodes(rng)
    edges = build_edges(rng, nodes)
    districts = []
    for (i, j), (did, name) in sorted(CELLS.items(), key=lambda kv: kv[1][0]):
        ext = [(r2(x), r2(y)) for x, y in cell_ring(edges, i, j)]
        polys = [[orient(ext, ccw=True)]]
        districts.append({"id": did, "name": name, "cell": (i, j), "polys": polys})
    by_id = {d["id"]: d for d in districts}

    # Lake in Sjöbo (hole, clockwise).
    cx, cy = bilinear(nodes, 2, 1, 0.62, 0.55)
    lake = [(r2(x), r2(y)) for x, y in blob(rng, cx, cy, 600, 14)]
    by_id["D07"]["polys"][0].append(orient(lake, ccw=False))
    by_id["D07"]["lake"] = lake

    # Island off Norra Hamnen (second polygon of a MultiPolygon).
    coast_x = min(x for x, _ in by_id["D09"]["polys"][0][0])
    ny = bilinear(nodes, 0, 2, 0.0, 0.45)[1]
    island = [(r2(x), r2(y)) for x, y in blob(rng, coast_x - 2300, ny, 700, 12)]
    by_id["D09"]["polys"].append([orient(island, ccw=True)])
    return nodes, districts


# Arenas: (district id, kind key, name, u, v) - u, v are cell fractions.
ARENAS = [
    ("D01", "skola", "Sjövikens skola", 0.42, 0.48),
    ("D02", "fc", "Källbäckens familjecentral", 0.64, 0.52),
    ("D02", "lek", "Källbäcken bemannad lekplats", 0.28, 0.45),
    ("D03", "bib", "Åkervallens bibliotek", 0.48, 0.53),
    ("D03", "of", "Åkervallens öppna förskola", 0.40, 0.45),
    ("D04", "fc", "Mölnhagens familjecentral", 0.33, 0.60),
    ("D04", "bib", "Mölnhagens bibliotek", 0.25, 0.52),
    ("D05", "fc", "Västerslätts familjecentral", 0.58, 0.57),
    ("D05", "of", "Västerslätt öppen förskola", 0.68, 0.50),
    ("D06", "fc", "Ängsbacka familjecentral", 0.46, 0.50),
    ("D06", "bib", "Ängsbacka bibliotek", 0.55, 0.47),
    ("D06", "lek", "Ängsbacka parklek", 0.30, 0.70),
    ("D07", "fc", "Sjöbo familjecentral", 0.30, 0.48),
    ("D07", "bib", "Sjöbo bibliotek", 0.27, 0.60),
    ("D08", "fc", "Östra Lyckans familjecentral", 0.48, 0.44),
    ("D08", "of", "Östra Lyckan öppen förskola", 0.42, 0.36),
    ("D09", "fc", "Norra Hamnens familjecentral", 0.45, 0.48),
    ("D09", "bib", "Hamnbiblioteket", 0.52, 0.58),
    ("D09", "lek", "Hamnens utflyktslekplats", 0.35, 0.62),
    ("D10", "fc", "Björkåsens familjecentral", 0.55, 0.52),
    ("D10", "of", "Björkåsen öppen förskola", 0.58, 0.62),
    ("D11", "fc", "Furuhöjds familjecentral", 0.48, 0.50),
    ("D11", "lek", "Furuhöjd bemannad lekplats", 0.56, 0.42),
    ("D12", "fc", "Tallmyra familjecentral", 0.30, 0.52),
    ("D12", "of", "Tallmyra öppen förskola", 0.32, 0.62),
]

# Housing clusters: (district id, u, v, sigma m, number of address points).
CLUSTERS = [
    # Sjöviken: the Billdal-like coastal suburb, two neighbourhoods by the shore.
    ("D01", 0.42, 0.52, 420, 290),
    ("D01", 0.38, 0.30, 360, 190),
    ("D02", 0.66, 0.50, 450, 200),
    ("D02", 0.30, 0.45, 300, 60),
    ("D03", 0.45, 0.50, 500, 240),
    ("D04", 0.32, 0.58, 420, 170),
    ("D04", 0.80, 0.20, 330, 85),  # partial gap: far south-east corner
    ("D05", 0.60, 0.55, 500, 260),
    ("D06", 0.48, 0.50, 550, 330),
    ("D06", 0.30, 0.72, 350, 110),
    ("D07", 0.30, 0.50, 500, 260),
    ("D08", 0.47, 0.42, 480, 250),
    ("D09", 0.45, 0.52, 520, 300),
    ("D10", 0.55, 0.55, 480, 240),
    ("D11", 0.50, 0.48, 480, 220),
    ("D12", 0.30, 0.55, 420, 170),
    ("D12", 0.82, 0.70, 380, 120),  # partial gap: east edge
]
SCATTER = 100  # address points spread thinly over all districts
ISLAND_POINTS = 6  # a few houses on the island of Norra Hamnen


def build(rng):
    nodes, districts = build_districts(rng)
    by_id = {d["id"]: d for d in districts}

    def inside_district(x, y, d):
        return point_in_multi(x, y, d["polys"])

    arenas = []
    for did, kind, name, u, v in ARENAS:
        i, j = by_id[did]["cell"]
        x, y = bilinear(nodes, i, j, u, v)
        x, y = r2(x + rng.uniform(-80, 80)), r2(y + rng.uniform(-80, 80))
        assert inside_district(x, y, by_id[did]), f"arena {name} falls outside {did}"
        arenas.append({"name": name, "kind": KIND_RAW[kind], "key": kind, "x": x, "y": y, "district": did})

    def n_children():
        return rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 30, 20, 10, 6, 4])[0]

    children = []
    for did, u, v, sigma, n in CLUSTERS:
        d = by_id[did]
        i, j = d["cell"]
        cx, cy = bilinear(nodes, i, j, u, v)
        made = 0
        while made < n:
            x = r2(rng.gauss(cx, sigma))
            y = r2(rng.gauss(cy, sigma))
            if not inside_district(x, y, d):
                continue
            children.append({"x": x, "y": y, "children": n_children(), "district": did})
            made += 1

    # Thin scatter over the rest of the land (not Sjöviken, whose houses are
    # all in its two shore neighbourhoods above).
    xmin = min(XS) - 3000
    xmax = max(XS) + 1500
    ymin, ymax = min(YS) - 1500, max(YS) + 1500
    made = 0
    while made < SCATTER:
        x, y = r2(rng.uniform(xmin, xmax)), r2(rng.uniform(ymin, ymax))
        hit = [d for d in districts if inside_district(x, y, d)]
        if not hit or hit[0]["id"] == "D01":
            continue
        # houses are near roads and centres: keep scatter within 2 km of a cluster
        if min(dist((x, y), (c["x"], c["y"])) for c in children[:: 25]) > 2000:
            continue
        children.append({"x": x, "y": y, "children": n_children(), "district": hit[0]["id"]})
        made += 1

    island = by_id["D09"]["polys"][1][0]
    icx = sum(p[0] for p in island[:-1]) / (len(island) - 1)
    icy = sum(p[1] for p in island[:-1]) / (len(island) - 1)
    made = 0
    while made < ISLAND_POINTS:
        x, y = r2(rng.gauss(icx, 250)), r2(rng.gauss(icy, 200))
        if point_in_polygon(x, y, [island]):
            children.append({"x": x, "y": y, "children": n_children(), "district": "D09"})
            made += 1

    return districts, children, arenas


# --------------------------------------------------------------------------
# Checks and summary (brute force)
# --------------------------------------------------------------------------


def check_and_summarise(districts, children, arenas):
    by_id = {d["id"]: d for d in districts}

    # Geometry: simple rings, orientation, no overlaps.
    for d in districts:
        for poly in d["polys"]:
            assert signed_area(poly[0]) > 0, f"{d['id']} exterior not CCW"
            for h in poly[1:]:
                assert signed_area(h) < 0, f"{d['id']} hole not CW"
            for ring in poly:
                assert ring_is_simple(ring), f"{d['id']} ring not simple"
            for h in poly[1:]:
                assert all(point_in_ring(x, y, poly[0]) for x, y in h[:-1]), "hole outside shell"
    assert any(len(p) > 1 for d in districts for p in d["polys"]), "no district with a hole"
    assert any(len(d["polys"]) > 1 for d in districts), "no MultiPolygon district"
    # Sample a fine grid: every sample point lies in at most one district.
    for gx in range(300000, 333000, 150):
        for gy in range(6380000, 6414000, 150):
            n = sum(1 for d in districts if point_in_multi(gx + 0.5, gy + 0.5, d["polys"]))
            assert n <= 1, f"districts overlap at {gx}, {gy}"
    # The west is sea: nothing west of the coast at x < 306500 but the island.
    # (The island of Norra Hamnen is the only land out there.)
    for d in districts:
        assert min(x for x, _ in d["polys"][0][0]) > 306500, f"{d['id']} reaches into the sea"

    # Children: every point in exactly the district it was made for.
    for c in children:
        hits = [d["id"] for d in districts if point_in_multi(c["x"], c["y"], d["polys"])]
        assert hits == [c["district"]], f"child point {c} in {hits}"
        assert 1 <= c["children"] <= 6
    assert 2000 <= len(children) <= 5000, f"{len(children)} child points"
    for a in arenas:
        hits = [d["id"] for d in districts if point_in_multi(a["x"], a["y"], d["polys"])]
        assert hits == [a["district"]], f"arena {a['name']} in {hits}"

    real = [a for a in arenas if a["key"] != "skola"]
    assert {a["key"] for a in real} == {"fc", "of", "bib", "lek"}

    rows = []
    for d in districts:
        cs = [c for c in children if c["district"] == d["id"]]
        total = sum(c["children"] for c in cs)
        within = sum(c["children"] for c in cs if min(dist((c["x"], c["y"]), (a["x"], a["y"])) for a in real) <= R_ANY)
        n_arenas = sum(1 for a in real if a["district"] == d["id"])
        n_fc = sum(1 for a in real if a["district"] == d["id"] and a["key"] == "fc")
        rows.append({"id": d["id"], "name": d["name"], "points": len(cs), "children": total,
                     "arenas": n_arenas, "fc": n_fc, "within": within, "beyond": total - within})

    total_c = sum(r["children"] for r in rows)
    print(f"{'id':<4} {'name':<14} {'points':>6} {'children':>8} {'arenas':>6} {'fc':>3} {'<=1000m':>8} {'share':>6}")
    for r in rows:
        s = r["within"] / r["children"] if r["children"] else 0.0
        print(f"{r['id']:<4} {r['name']:<14} {r['points']:>6} {r['children']:>8} {r['arenas']:>6} {r['fc']:>3} "
              f"{r['within']:>8} {s:>6.1%}")
    tw = sum(r["within"] for r in rows)
    print(f"{'all':<4} {'':<14} {len(children):>6} {total_c:>8} {len(real):>6} "
          f"{sum(r['fc'] for r in rows):>3} {tw:>8} {tw / total_c:>6.1%}")
    row = {r["id"]: r for r in rows}
    # Pattern 1: Billdal.
    sj = [c for c in children if c["district"] == "D01"]
    sj_total = sum(c["children"] for c in sj)
    assert 1000 < sj_total, f"Sjöviken has only {sj_total} children"
    nearest_any = min(dist((c["x"], c["y"]), (a["x"], a["y"])) for c in sj for a in real)
    assert nearest_any > R_FC, f"an arena is {nearest_any:.0f} m from a Sjöviken child"
    assert nearest_any >= 3000, f"nearest arena only {nearest_any:.0f} m from Sjöviken"
    assert row["D01"]["arenas"] == 0
    wx = sum(c["x"] * c["children"] for c in sj) / sj_total
    wy = sum(c["y"] * c["children"] for c in sj) / sj_total
    centre_nearest = min(dist((wx, wy), (a["x"], a["y"])) for a in real)
    assert 3000 <= centre_nearest <= 5000, f"Sjöviken centre {centre_nearest:.0f} m from nearest arena"
    ranked = sorted(rows, key=lambda r: -r["beyond"])
    assert ranked[0]["id"] == "D01" and ranked[0]["beyond"] >= 2 * ranked[1]["beyond"], "Sjöviken not the clear worst"
    # Pattern 2: arenas but no familjecentral.
    no_fc = [r["id"] for r in rows if r["arenas"] > 0 and r["fc"] == 0]
    assert no_fc == ["D03"], f"districts with arenas but no familjecentral: {no_fc}"
    # Pattern 3: others served, with one or two partial gaps of a few hundred children.
    others = [r for r in rows if r["id"] != "D01"]
    share = sum(r["within"] for r in others) / sum(r["children"] for r in others)
    assert share >= 0.75, f"rest only {share:.0%} within 1 km"
    partial = [r["id"] for r in others if r["beyond"] >= 150]
    assert 1 <= len(partial) <= 2, f"partial gaps: {partial}"
    for pid in partial:
        assert row[pid]["beyond"] <= 500, f"{pid} gap too large"

    print(f"(+1 non-arena 'Skola' in Sjöviken; Sjöviken: nearest arena to any child {nearest_any:.0f} m, "
          f"to its weighted centre {centre_nearest:.0f} m; partial gaps: {', '.join(partial)})")
    return rows


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def write_geojson(path, features):
    """One feature per line: small diffs, still plain GeoJSON."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","crs":' + json.dumps(CRS_3006, separators=(",", ":")) + ',"features":[\n')
        for k, feat in enumerate(features):
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
            f.write(",\n" if k + 1 < len(features) else "\n")
        f.write("]}\n")


def district_geometry(d):
    if len(d["polys"]) == 1:
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in d["polys"][0]]}
    return {"type": "MultiPolygon",
            "coordinates": [[[list(p) for p in ring] for ring in poly] for poly in d["polys"]]}


def write_main(districts, children, arenas):
    write_geojson(os.path.join(HERE, "districts.geojson"), [
        {"type": "Feature", "properties": {"id": d["id"], "name": d["name"]}, "geometry": district_geometry(d)}
        for d in districts])
    write_geojson(os.path.join(HERE, "children.geojson"), [
        {"type": "Feature", "properties": {"children": c["children"]},
         "geometry": {"type": "Point", "coordinates": [c["x"], c["y"]]}} for c in children])
    write_geojson(os.path.join(HERE, "arenas.geojson"), [
        {"type": "Feature", "properties": {"name": a["name"], "kind": a["kind"]},
         "geometry": {"type": "Point", "coordinates": [a["x"], a["y"]]}} for a in arenas])


def build_playgrounds(districts, children):
    """Unstaffed playgrounds (not arenas in the city's sense): a reference layer for the fifth-kind example
    (lekplatser.toml). Their own generator, so that adding them left the other files byte-identical. Three are
    in Sjöviken, whose children they must NOT count as covered while lekplats is not a coverage kind."""
    rng = random.Random(SEED + 7)
    by_id = {d["id"]: d for d in districts}
    picks = [c for c in children if c["district"] == "D01"][::160][:3]
    others = [c for c in children if c["district"] != "D01"]
    picks += rng.sample(others, 11)
    out = []
    for n, c in enumerate(picks, start=1):
        while True:
            x, y = r2(c["x"] + rng.uniform(-60, 60)), r2(c["y"] + rng.uniform(-60, 60))
            if point_in_multi(x, y, by_id[c["district"]]["polys"]):
                break
        out.append({"name": f"Lekplats {n} ({by_id[c['district']]['name']})", "kind": "Lekplats", "x": x, "y": y})
    return out


def write_playgrounds(playgrounds):
    write_geojson(os.path.join(HERE, "lekplatser.geojson"), [
        {"type": "Feature", "properties": {"name": p["name"], "kind": p["kind"]},
         "geometry": {"type": "Point", "coordinates": [p["x"], p["y"]]}} for p in playgrounds])


def dec_comma(v):
    return f"{v:.2f}".replace(".", ",")


def wkt_num(v):
    return repr(float(v))


def wkt_polygon_body(poly):
    return "(" + ", ".join("(" + ", ".join(f"{wkt_num(x)} {wkt_num(y)}" for x, y in ring) + ")" for ring in poly) + ")"


def write_csv(districts, children, arenas):
    out = os.path.join(FMT_DIR, "csv")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "children.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["x", "y", "children"])
        for c in children:
            w.writerow([dec_comma(c["x"]), dec_comma(c["y"]), c["children"]])
    with open(os.path.join(out, "arenas.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["x", "y", "name", "kind"])
        for a in arenas:
            w.writerow([dec_comma(a["x"]), dec_comma(a["y"]), a["name"], a["kind"]])
    with open(os.path.join(out, "districts.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("id;name;wkt\n")
        for d in districts:
            if len(d["polys"]) == 1:
                wkt = "POLYGON " + wkt_polygon_body(d["polys"][0])
            else:
                wkt = "MULTIPOLYGON (" + ", ".join(wkt_polygon_body(p) for p in d["polys"]) + ")"
            assert ";" not in d["name"] and '"' not in d["name"]
            f.write(f'{d["id"]};{d["name"]};"{wkt}"\n')


def write_shapefiles(districts, children, arenas):
    import shapefile  # pyshp
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:3006", "EPSG:3007", always_xy=True)

    def to3007(x, y):
        return tr.transform(x, y)

    out = os.path.join(FMT_DIR, "shp")
    os.makedirs(out, exist_ok=True)

    def finish(base):
        # pyshp stamps today's date into the .dbf header; pin it so that
        # reruns give byte-identical files.
        with open(base + ".dbf", "r+b") as f:
            f.seek(1)
            f.write(bytes([2026 - 1900, 11, 26]))
        with open(base + ".prj", "w", encoding="ascii", newline="") as f:
            f.write(PRJ_3007)
        with open(base + ".cpg", "w", encoding="ascii", newline="") as f:
            f.write("ANSI 1252")

    base = os.path.join(out, "districts")
    w = shapefile.Writer(base, shapeType=shapefile.POLYGON, encoding="cp1252")
    w.field("id", "C", size=8)
    w.field("name", "C", size=40)
    expected_rings = []
    for d in districts:
        parts = []
        for poly in d["polys"]:
            for k, ring in enumerate(poly):
                pts = [to3007(x, y) for x, y in ring]
                parts.append(orient(pts, ccw=(k > 0)))  # outer CW, holes CCW
        expected_rings.append(parts)
        w.poly(parts)
        w.record(d["id"], d["name"])
    w.close()
    finish(base)

    base = os.path.join(out, "children")
    w = shapefile.Writer(base, shapeType=shapefile.POINT, encoding="cp1252")
    w.field("children", "N", size=2, decimal=0)
    for c in children:
        w.point(*to3007(c["x"], c["y"]))
        w.record(c["children"])
    w.close()
    finish(base)

    base = os.path.join(out, "arenas")
    w = shapefile.Writer(base, shapeType=shapefile.POINT, encoding="cp1252")
    w.field("name", "C", size=60)
    w.field("kind", "C", size=30)
    for a in arenas:
        w.point(*to3007(a["x"], a["y"]))
        w.record(a["name"], a["kind"])
    w.close()
    finish(base)

    warnings.filterwarnings("ignore", message="Specified encoding")  # .cpg says "ANSI 1252"
    # Read back: ring order and orientation as written, names intact in cp1252.
    r = shapefile.Reader(os.path.join(out, "districts"), encoding="cp1252")
    for d, shp, rec, want in zip(districts, r.shapes(), r.records(), expected_rings):
        assert rec["name"] == d["name"] and rec["id"] == d["id"]
        bounds = list(shp.parts) + [len(shp.points)]
        got = [[tuple(p) for p in shp.points[bounds[k]:bounds[k + 1]]] for k in range(len(shp.parts))]
        assert got == [[tuple(p) for p in ring] for ring in want], f"{d['id']} rings changed on write"
        k = 0
        for poly in d["polys"]:
            for n, _ in enumerate(poly):
                a = signed_area(got[k])
                assert (a < 0) if n == 0 else (a > 0), f"{d['id']} ring {k} has the wrong orientation"
                k += 1
    r.close()
    raw = open(os.path.join(out, "districts.dbf"), "rb").read()
    assert "Sjöviken".encode("cp1252") in raw and "Sjöviken".encode("utf-8") not in raw
    r = shapefile.Reader(os.path.join(out, "arenas"), encoding="cp1252")
    assert [rec["kind"] for rec in r.records()] == [a["kind"] for a in arenas]
    r.close()


def main(argv):
    rng = random.Random(SEED)
    districts, children, arenas = build(rng)
    check_and_summarise(districts, children, arenas)
    write_main(districts, children, arenas)
    write_playgrounds(build_playgrounds(districts, children))
    if "--formats" in argv:
        write_csv(districts, children, arenas)
        write_shapefiles(districts, children, arenas)
        print(f"wrote {os.path.relpath(FMT_DIR, REPO)}/{{shp,csv}}")
    print(f"wrote {os.path.relpath(HERE, REPO)}/{{districts,children,arenas,lekplatser}}.geojson")


if __name__ == "__main__":
    main(sys.argv[1:])
