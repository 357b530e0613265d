#!/usr/bin/env python3
"""Check that arenagap and pandana agree on the nearest arena of every node (walking-network benchmark, issue 8).

Usage:

    python3 benches/network/compare.py /tmp/netbench/grid100k ARENAGAP_OUT/children.geojson PANDANA.csv

Both are held against a reference computed here in float64: scipy's multi-source Dijkstra
(`scipy.sparse.csgraph.dijkstra(..., min_only=True)`) over `edges.csv` from the arenas' nodes. The child points of
`make_grid.py` lie on the nodes, in node order, so child k is node k. arenagap writes distances to the centimetre
(`nearest_any_m`, two decimals); pandana computes in integer millimetres (each edge's length times 1000, truncated:
pandana's DISTANCEMULTFACT) and returns float32.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra


def main() -> None:
    folder, children_geojson, pandana_csv = sys.argv[1:4]
    nodes = pd.read_csv(os.path.join(folder, "nodes.csv"))
    edges = pd.read_csv(os.path.join(folder, "edges.csv"))
    arenas = pd.read_csv(os.path.join(folder, "arenas.csv"), sep=";")
    pos = pd.Series(np.arange(len(nodes)), index=nodes["node_id"])
    f, t = pos[edges["from"]].to_numpy(), pos[edges["to"]].to_numpy()
    n = len(nodes)
    g = coo_matrix((edges["length"].to_numpy(), (f, t)), shape=(n, n)).tocsr()
    # Arenas lie on nodes (exactly, up to the 1e-6 m of the CSV): the node at the same place.
    key = {(round(x, 3), round(y, 3)): k for k, (x, y) in enumerate(zip(nodes["x"], nodes["y"]))}
    src = np.array([key[(round(x, 3), round(y, 3))] for x, y in zip(arenas["x"], arenas["y"])])
    ref, _, nearest_src = dijkstra(g, directed=False, indices=src, min_only=True, return_predecessors=True)

    with open(children_geojson) as fh:
        feats = json.load(fh)["features"]
    assert len(feats) == n, (len(feats), n)
    ag = np.array([ft["properties"]["nearest_any_m"] for ft in feats], dtype=float)
    ag_name = np.array([ft["properties"]["nearest_any_name"] for ft in feats])
    pdn = pd.read_csv(pandana_csv, index_col="node_id").loc[nodes["node_id"]]
    pd_d = pdn["distance_m"].to_numpy(dtype=float)
    pd_name = pdn["arena"].to_numpy()

    src_name = arenas["name"].to_numpy()
    assert np.all(np.diff(src) > 0)  # make_grid.py writes the arenas in node order
    ref_name = src_name[np.searchsorted(src, nearest_src)]
    name_to_src = dict(zip(src_name, src))

    def named_gap(d, name):
        """Where a tool names another arena than the reference: how much farther (float64, in the reference)
        the arena it names is than the reference's nearest. Near zero means a tie (or a near tie)."""
        differ = np.flatnonzero(name != ref_name)
        if len(differ) == 0:
            return 0, 0.0
        named = np.array([name_to_src[v] for v in name[differ]])
        uniq, inv = np.unique(named, return_inverse=True)
        dist = dijkstra(g, directed=False, indices=uniq)
        return len(differ), float((dist[inv, differ] - ref[differ]).max())

    def report(label, d, name):
        diff = d - ref
        far = ref > 1000
        k, gap = named_gap(d, name)
        print(f"{label}: max |diff| {np.abs(diff).max() * 1000:.3f} mm, mean {diff.mean() * 1000:+.3f} mm; "
              f"max relative beyond 1 km {(np.abs(diff[far]) / ref[far]).max():.2e}; "
              f"another nearest arena named at {k} nodes, there at most {gap * 1000:.3f} mm farther than the nearest")
        return diff

    print(f"{n} nodes, reference distances {ref.min():.2f} .. {ref.max():.2f} m (mean {ref.mean():.1f} m)")
    report("arenagap - reference", ag, ag_name)
    print(f"  arenagap equals the reference rounded to the centimetre at {np.mean(np.abs(ag - np.round(ref, 2)) < 1e-6) * 100:.3f} % "
          f"of nodes; max |arenagap - reference rounded| {np.abs(ag - np.round(ref, 2)).max() * 1000:.3f} mm")
    d_pd = report("pandana  - reference", pd_d, pd_name)
    steps = np.rint(ref / 100.0)  # edges crossed on a shortest path (every edge is 100 m within 1 cm)
    print(f"  pandana's shortfall per edge crossed: mean {np.mean(-d_pd[steps > 0] / steps[steps > 0]) * 1000:.3f} mm "
          f"(whole millimetres per edge, truncated: 0.5 mm on average); never longer: {bool((d_pd <= ref + 1e-3).all())}")
    # pandana's own arithmetic: every edge in whole millimetres, truncated, summed exactly, returned as float32.
    g_mm = coo_matrix((np.floor(edges["length"].to_numpy() * 1000.0), (f, t)), shape=(n, n)).tocsr()
    ref_mm = dijkstra(g_mm, directed=False, indices=src, min_only=True)
    as_f32 = (ref_mm.astype(np.float32) / np.float32(1000.0)).astype(float)
    print(f"  pandana against the same search in truncated whole millimetres, as float32: max |diff| "
          f"{np.abs(pd_d - as_f32).max() * 1000:.4f} mm (against it in float64: {np.abs(pd_d - ref_mm / 1000).max() * 1000:.4f} mm)")
    diff = ag - pd_d
    print(f"arenagap - pandana: max |diff| {np.abs(diff).max() * 1000:.3f} mm, mean {diff.mean() * 1000:+.3f} mm, "
          f"max relative beyond 1 km {(np.abs(diff[ref > 1000]) / ref[ref > 1000]).max():.2e}; "
          f"the same nearest arena at {np.mean(ag_name == pd_name) * 100:.3f} % of nodes")


if __name__ == "__main__":
    main()
