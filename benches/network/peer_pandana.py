#!/usr/bin/env python3
"""The peer of the walking-network benchmark (issue 8): the nearest arena of every street node with pandana.

Usage (after make_grid.py):

    pip install pandana
    python3 benches/network/peer_pandana.py /tmp/netbench/grid100k [--out nearest.csv]

What an analyst would write with pandana: read the nodes, edges and arenas (`make_grid.py`'s CSVs, EPSG:3006),
build the network (`pandana.Network`: its contraction-hierarchy preprocessing), attach the 200 arenas to their
nearest nodes (`set_pois`) and ask for the nearest arena of every node (`nearest_pois`, with a 100 km search
radius so that it is truly the nearest), then write `node_id,distance_m,arena` for every node when --out is
given. Prints the seconds of each step; `preprocessing` is the `pandana.Network(...)` constructor alone.
"""

from __future__ import annotations

import argparse
import os
import time

T0 = time.perf_counter()

import pandas as pd  # noqa: E402
import pandana  # noqa: E402

MAXDIST = 100_000.0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--out", help="write node_id,distance_m,arena for every node here")
    args = p.parse_args()
    times = {"import": time.perf_counter() - T0}

    t = time.perf_counter()
    nodes = pd.read_csv(os.path.join(args.folder, "nodes.csv"), index_col="node_id")
    edges = pd.read_csv(os.path.join(args.folder, "edges.csv"))
    arenas = pd.read_csv(os.path.join(args.folder, "arenas.csv"), sep=";")
    times["read"] = time.perf_counter() - t

    t = time.perf_counter()
    net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["length"]], twoway=True)
    times["preprocessing"] = time.perf_counter() - t

    t = time.perf_counter()
    net.set_pois("arenas", MAXDIST, 1, arenas["x"], arenas["y"])
    nearest = net.nearest_pois(MAXDIST, "arenas", num_pois=1, include_poi_ids=True)
    times["nearest"] = time.perf_counter() - t

    if args.out:
        t = time.perf_counter()
        out = pd.DataFrame({"distance_m": nearest[1], "arena": arenas["name"].to_numpy()[nearest["poi1"].astype(int)]})
        out.index.name = "node_id"
        out.to_csv(args.out)
        times["write"] = time.perf_counter() - t

    times["total"] = time.perf_counter() - T0
    print(f"pandana {pandana.__version__}: {len(nodes)} nodes, {len(edges)} edges, {len(arenas)} arenas; "
          + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))


if __name__ == "__main__":
    main()
