#!/usr/bin/env python3
"""Generate the demo city's street network: data/demo/streets.osm.pbf.

EVERYTHING HERE IS SYNTHETIC AND INVENTED, like the rest of the demo city.

Usage (from the repository root, after make_demo.py):

    pip install osmium pyproj
    python3 data/demo/make_streets.py

A street grid with 250 m blocks over the whole demo city, each block crossed by two footpaths (so that walking
is not a Manhattan detour: along the network a walk is at most about 8 % longer than the straight line), and two
barriers the walk rule leaves out: a motorway ("Norra leden", highway=motorway) running north from Ängsbacka
through Björkåsen just east of its family centre and open preschool, and a railway ("Björkåsbanan") running
east–west just south of them. The streets stop at both.

Pattern (asserted below; the script fails loudly if it is missing): Björkåsen (D10) is covered in a straight line
(about 94 % of its children within 1,000 m of an arena) but not on foot (about half): its children south and
east of the barriers see the arenas across them but walk kilometres round. No other district loses as much.

The output is fully determined by the inputs: running it again gives byte-identical files (osmium writes no
timestamps here).
"""

from __future__ import annotations

import heapq
import json
import math
import os
import sys

import osmium
import pyproj

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "streets.osm.pbf")
BLOCK = 250.0
MARGIN = 500.0
# The barriers, each along a gap between grid lines, over a stretch: a motorway running north from the middle of
# Ängsbacka through Björkåsen just east of its family centre and open preschool, and a railway running east–west
# just south of them. Between them, Björkåsen's arenas sit in a corner the children south and east of them can
# see but walk a long way round to.
MOTORWAY = {"x": 317_375.0, "from_y": 6_400_500.0, "to_y": None, "tags": {"highway": "motorway", "name": "Norra leden", "ref": "E99"}}
RAILWAY = {"y": 6_405_625.0, "from_x": 313_500.0, "to_x": 320_500.0, "tags": {"railway": "rail", "name": "Björkåsbanan"}}
R_ANY = 1000.0
ARENA_KINDS = {"Familjecentral", "Öppen förskola", "Bibliotek", "Bemannad lekplats"}


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)["features"]


def rings(geometry):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for poly in polys for ring in poly]


def main() -> None:
    districts = load("districts.geojson")
    children = load("children.geojson")
    arenas = [a for a in load("arenas.geojson") if a["properties"]["kind"] in ARENA_KINDS]
    xs = [c[0] for d in districts for r in rings(d["geometry"]) for c in r]
    ys = [c[1] for d in districts for r in rings(d["geometry"]) for c in r]
    x0 = math.floor((min(xs) - MARGIN) / BLOCK) * BLOCK
    y0 = math.floor((min(ys) - MARGIN) / BLOCK) * BLOCK
    nx = int(math.ceil((max(xs) + MARGIN - x0) / BLOCK)) + 1
    ny = int(math.ceil((max(ys) + MARGIN - y0) / BLOCK)) + 1

    # Each barrier as a gap between grid lines (between column c and c + 1, or row r and r + 1) over a range of
    # the other index.
    motorway_c = int((MOTORWAY["x"] - x0) // BLOCK)
    motorway_rows = (int(math.ceil((MOTORWAY["from_y"] - y0) / BLOCK)), ny - 1)
    railway_r = int((RAILWAY["y"] - y0) // BLOCK)
    railway_cols = (int(math.ceil((RAILWAY["from_x"] - x0) / BLOCK)), int((RAILWAY["to_x"] - x0) // BLOCK))

    def blocked(a, b):
        """Whether the straight street from grid node a to b crosses a barrier."""
        (ia, ja), (ib, jb) = a, b
        lo, hi = motorway_rows
        if min(ia, ib) <= motorway_c < max(ia, ib) and (lo <= ja <= hi or lo <= jb <= hi):
            return True
        lo, hi = railway_cols
        return min(ja, jb) <= railway_r < max(ja, jb) and (lo <= ia <= hi or lo <= ib <= hi)

    def node_id(i, j):
        return 1 + j * nx + i

    to_wgs84 = pyproj.Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)

    def lonlat(x, y):
        lon, lat = to_wgs84.transform(x, y)
        return (round(lon, 7), round(lat, 7))

    edges = []  # walkable, for the check below
    ways = []  # (tags, [node ids]), for the file

    def street(name, nodes):
        """A street along `nodes` (grid positions), broken where it crosses a barrier."""
        run = [nodes[0]]
        for a, b in zip(nodes, nodes[1:]):
            if blocked(a, b):
                ways.append(({"highway": "residential", "name": name}, [node_id(*n) for n in run]))
                run = [b]
            else:
                run.append(b)
                edges.append((a, b))
        ways.append(({"highway": "residential", "name": name}, [node_id(*n) for n in run]))

    for j in range(ny):
        street(f"Radgatan {j}", [(i, j) for i in range(nx)])
    for i in range(nx):
        street(f"Tvärgatan {i}", [(i, j) for j in range(ny)])
    for j in range(ny - 1):
        for i in range(nx - 1):
            for a, b in (((i, j), (i + 1, j + 1)), ((i + 1, j), (i, j + 1))):
                if not blocked(a, b):
                    ways.append(({"highway": "footway"}, [node_id(*a), node_id(*b)]))
                    edges.append((a, b))
    # The barriers themselves, on their own nodes: in the file, left out by the walk rule.
    extra = []
    next_id = node_id(nx - 1, ny - 1) + 1
    x_m = x0 + (motorway_c + 0.5) * BLOCK
    y_r = y0 + (railway_r + 0.5) * BLOCK
    lines = [
        (MOTORWAY["tags"], [(x_m, y0 + j * BLOCK) for j in range(motorway_rows[0] - 1, motorway_rows[1] + 1)]),
        (RAILWAY["tags"], [(x0 + i * BLOCK, y_r) for i in range(railway_cols[0] - 1, railway_cols[1] + 2)]),
    ]
    for tags, points in lines:
        ids = []
        for p in points:
            extra.append((next_id, p))
            ids.append(next_id)
            next_id += 1
        ways.append((tags, ids))

    def walled(x, y, node):
        """Whether the straight way from (x, y) to grid node `node` crosses a barrier."""
        nx_, ny_ = x0 + node[0] * BLOCK, y0 + node[1] * BLOCK
        top = y0 + motorway_rows[1] * BLOCK
        if (min(x, nx_) < x_m < max(x, nx_)) and MOTORWAY["from_y"] - BLOCK <= max(y, ny_) and min(y, ny_) <= top:
            return True
        return (min(y, ny_) < y_r < max(y, ny_)) and RAILWAY["from_x"] - BLOCK <= max(x, nx_) <= RAILWAY["to_x"] + BLOCK

    check(districts, children, arenas, edges, (x0, y0, nx, ny), walled)

    if os.path.exists(OUT):
        os.remove(OUT)
    writer = osmium.SimpleWriter(OUT)
    try:
        for j in range(ny):
            for i in range(nx):
                location = lonlat(x0 + i * BLOCK, y0 + j * BLOCK)
                writer.add_node(osmium.osm.mutable.Node(id=node_id(i, j), location=location, version=1))
        for n, (x, y) in extra:
            writer.add_node(osmium.osm.mutable.Node(id=n, location=lonlat(x, y), version=1))
        for k, (tags, refs) in enumerate(ways):
            writer.add_way(osmium.osm.mutable.Way(id=k + 1, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    print(f"wrote {OUT}: {nx * ny} grid nodes, {len(ways)} ways; motorway at x = {x_m:.0f}, railway at y = {y_r:.0f}")


def inside(ring, x, y):
    """Even–odd ray casting."""
    hit = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1]):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def district_of(districts, x, y):
    for d in districts:
        if sum(inside(r, x, y) for r in rings(d["geometry"])) % 2 == 1:
            return d["properties"]["id"]
    return None


def check(districts, children, arenas, edges, grid, walled) -> None:
    """The barrier pattern, by a plain Dijkstra from every arena at once (an arena joined to its nearest grid node,
    a child to the corners of its block, the straight way to it added: a little longer than the tool's walk, which
    joins the nearest street, so close enough for a check with margins)."""
    x0, y0, nx, ny = grid
    graph = {}
    for (a, b) in edges:
        (ax, ay), (bx, by) = (x0 + a[0] * BLOCK, y0 + a[1] * BLOCK), (x0 + b[0] * BLOCK, y0 + b[1] * BLOCK)
        w = math.hypot(ax - bx, ay - by)
        graph.setdefault(a, []).append((b, w))
        graph.setdefault(b, []).append((a, w))

    def nearest_node(x, y):
        i = min(max(int(round((x - x0) / BLOCK)), 0), nx - 1)
        j = min(max(int(round((y - y0) / BLOCK)), 0), ny - 1)
        return (i, j), math.hypot(x - (x0 + i * BLOCK), y - (y0 + j * BLOCK))

    def corners(x, y):
        i, j = int((x - x0) // BLOCK), int((y - y0) // BLOCK)
        for node in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)):
            if not walled(x, y, node):
                yield node, math.hypot(x - (x0 + node[0] * BLOCK), y - (y0 + node[1] * BLOCK))

    dist = {}
    heap = []
    for a in arenas:
        node, d = nearest_node(*a["geometry"]["coordinates"])
        if d < dist.get(node, math.inf):
            dist[node] = d
            heapq.heappush(heap, (d, node))
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in graph.get(u, []):
            if d + w < dist.get(v, math.inf):
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    points = [a["geometry"]["coordinates"] for a in arenas]
    share = {}
    for c in children:
        x, y = c["geometry"]["coordinates"]
        did = district_of(districts, x, y)
        if did is None:
            continue
        n = c["properties"]["children"]
        straight = min(math.hypot(x - p[0], y - p[1]) for p in points)
        walk = min((dist.get(node, math.inf) + snap for node, snap in corners(x, y)), default=math.inf)
        s = share.setdefault(did, [0, 0, 0])
        s[0] += n
        s[1] += n if straight <= R_ANY else 0
        s[2] += n if walk <= R_ANY else 0
    print("id   children  straight  on foot")
    drops = {}
    for did in sorted(share):
        total, straight, walk = share[did]
        print(f"{did}  {total:8d}  {100 * straight / total:7.1f}%  {100 * walk / total:6.1f}%")
        drops[did] = (straight - walk) / total
    d10 = share["D10"]
    ok = d10[1] / d10[0] >= 0.85 and d10[2] / d10[0] <= 0.6 and max(drops, key=drops.get) == "D10"
    if not ok:
        sys.exit("the barrier pattern is missing: Björkåsen (D10) must be covered in a straight line, not on foot")


if __name__ == "__main__":
    main()
