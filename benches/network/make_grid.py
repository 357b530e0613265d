#!/usr/bin/env python3
"""Generate a synthetic street grid for the walking-network benchmark (issue 8): arenagap against pandana.

EVERYTHING HERE IS SYNTHETIC.

Usage (from the repository root):

    pip install osmium pyproj numpy scipy
    python3 benches/network/make_grid.py /tmp/netbench/grid100k --nodes 100000 --arenas 200 --seed 8
    python3 benches/network/make_grid.py /tmp/netbench/grid1m --nodes 1000000 --arenas 200 --seed 8

A square grid of streets (side round(sqrt(nodes)), --spacing metres apart, default 100 m) in SWEREF 99 TM near
Göteborg (south-west corner at x 300,000, y 6,380,000), with a share of its edges missing at random
(--missing, default 3 %) so that walks are not plain Manhattan distances; only the largest connected part is
kept, so both tools see the same graph. Writes into the output folder:

- `grid.osm.pbf`: the streets as OpenStreetMap data (lon/lat, highway=residential ways, broken where an edge is
  missing) for `arenagap analyze --network`;
- `nodes.csv` (`node_id,x,y`) and `edges.csv` (`from,to,length`) for pandana, in EPSG:3006;
- `children.csv` (`x;y;children`): one child point exactly at every node, 1-5 children each;
- `arenas.csv` (`x;y;kind;name`): --arenas arenas at distinct random nodes, the four default kinds in turn.

The coordinates in the CSVs are those of the PBF (lon/lat on OSM's 1e-7 degree grid) projected back to EPSG:3006,
so the child points and arenas lie on the nodes as arenagap reads them (a snap of 0 m) and the edge lengths given
to pandana are the lengths arenagap measures. Seeded: the same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import osmium
import pyproj
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

X0, Y0 = 300_000.0, 6_380_000.0
KINDS = ["familjecentral", "oppen_forskola", "bibliotek", "bemannad_lekplats"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="output folder")
    p.add_argument("--nodes", type=int, default=100_000, help="about this many grid nodes (a square grid)")
    p.add_argument("--arenas", type=int, default=200)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--spacing", type=float, default=100.0, help="metres between neighbouring nodes")
    p.add_argument("--missing", type=float, default=0.03, help="share of the grid's edges left out at random")
    p.add_argument("--jitter", type=float, default=0.0, help="move every node by up to this many metres in x and y")
    args = p.parse_args()
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    side = int(round(args.nodes ** 0.5))
    n = side * side
    os.makedirs(args.out, exist_ok=True)

    # Edges of the full grid: horizontal (i, j)-(i+1, j), then vertical (i, j)-(i, j+1); node index j * side + i.
    idx = np.arange(n, dtype=np.int64).reshape(side, side)  # [j, i]
    h_from, h_to = idx[:, :-1].ravel(), idx[:, 1:].ravel()
    v_from, v_to = idx[:-1, :].ravel(), idx[1:, :].ravel()
    e_from = np.concatenate([h_from, v_from])
    e_to = np.concatenate([h_to, v_to])
    keep_edge = rng.random(len(e_from)) >= args.missing

    # Only the largest connected part.
    g = coo_matrix((np.ones(keep_edge.sum()), (e_from[keep_edge], e_to[keep_edge])), shape=(n, n))
    _, label = connected_components(g, directed=False)
    big = np.argmax(np.bincount(label))
    keep_node = label == big
    keep_edge &= keep_node[e_from]  # an edge of the largest part has both ends in it
    h_keep = keep_edge[: len(h_from)].reshape(side, side - 1)  # [j, i]: edge (i, j)-(i+1, j)
    v_keep = keep_edge[len(h_from):].reshape(side - 1, side)  # [j, i]: edge (i, j)-(i, j+1)

    # Coordinates as the PBF holds them (OSM's 1e-7 degree grid), and those projected back to EPSG:3006.
    jj, ii = np.divmod(np.arange(n, dtype=np.int64), side)
    x = X0 + ii * args.spacing + rng.uniform(-args.jitter, args.jitter, n)
    y = Y0 + jj * args.spacing + rng.uniform(-args.jitter, args.jitter, n)
    lon, lat = pyproj.Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True).transform(x, y)
    lon_e7 = np.round(lon * 1e7).astype(np.int64)
    lat_e7 = np.round(lat * 1e7).astype(np.int64)
    bx, by = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(lon_e7 / 1e7, lat_e7 / 1e7)

    nodes = np.flatnonzero(keep_node)
    osm_id = nodes + 1
    with open(os.path.join(args.out, "nodes.csv"), "w") as f:
        f.write("node_id,x,y\n")
        np.savetxt(f, np.column_stack([osm_id, bx[nodes], by[nodes]]), fmt=["%d", "%.6f", "%.6f"], delimiter=",")
    ef, et = e_from[keep_edge], e_to[keep_edge]
    length = np.hypot(bx[ef] - bx[et], by[ef] - by[et])
    with open(os.path.join(args.out, "edges.csv"), "w") as f:
        f.write("from,to,length\n")
        np.savetxt(f, np.column_stack([ef + 1, et + 1, length]), fmt=["%d", "%d", "%.6f"], delimiter=",")
    children = rng.integers(1, 6, size=len(nodes))
    with open(os.path.join(args.out, "children.csv"), "w") as f:
        f.write("x;y;children\n")
        np.savetxt(f, np.column_stack([bx[nodes], by[nodes], children]), fmt=["%.6f", "%.6f", "%d"], delimiter=";")
    at = np.sort(rng.choice(nodes, size=args.arenas, replace=False))
    with open(os.path.join(args.out, "arenas.csv"), "w") as f:
        f.write("x;y;kind;name\n")
        for k, a in enumerate(at):
            f.write(f"{bx[a]:.6f};{by[a]:.6f};{KINDS[k % len(KINDS)]};Arena {k + 1}\n")

    # The streets: one way per run of kept edges along a row or a column.
    ways = []
    for j in range(side):
        run_ways(ways, h_keep[j], lambda i, j=j: j * side + i, f"Radgatan {j}")
    for i in range(side):
        run_ways(ways, v_keep[:, i], lambda j, i=i: j * side + i, f"Tvärgatan {i}")
    pbf = os.path.join(args.out, "grid.osm.pbf")
    if os.path.exists(pbf):
        os.remove(pbf)
    writer = osmium.SimpleWriter(pbf)
    try:
        for v in nodes.tolist():
            writer.add_node(
                osmium.osm.mutable.Node(id=v + 1, location=(lon_e7[v] / 1e7, lat_e7[v] / 1e7), version=1)
            )
        for k, (name, refs) in enumerate(ways):
            writer.add_way(
                osmium.osm.mutable.Way(id=k + 1, nodes=refs, tags={"highway": "residential", "name": name}, version=1)
            )
    finally:
        writer.close()
    print(
        f"wrote {args.out}: {side}x{side} grid, {len(nodes)} nodes and {len(ef)} edges kept "
        f"({n - len(nodes)} nodes cut off), {len(ways)} ways, {int(children.sum())} children, {args.arenas} arenas "
        f"({time.perf_counter() - t0:.1f} s)"
    )


def run_ways(ways, keep, node, name) -> None:
    """Append a way (name, [OSM node ids]) for every run of consecutive kept edges; edge k joins k and k + 1."""
    start = None
    for k, kept in enumerate(keep.tolist() + [False]):
        if kept and start is None:
            start = k
        elif not kept and start is not None:
            ways.append((name, [node(m) + 1 for m in range(start, k + 1)]))
            start = None


if __name__ == "__main__":
    main()
