"""Entities from scored pairs: connected components at the match threshold, a check that no
large entity is held together only by weak links, and review decisions that keep records
apart.

Why the check: connected components join two records whenever a chain of links at or above
the threshold joins them, so a few weak links (probability just above 0.5) can chain many
people into one giant entity (found: 345 records of different people, linked through a
common occupation). A real person's records are linked strongly among themselves; so an
entity of more than ``model.LARGE_ENTITY_RECORDS`` records whose strongly linked groups
(links at or above ``model.STRONG_LINK``) are all smaller than half of it is split into
those groups, and the run's notes say how many were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from peel.linkage import model as S


def components(nodes: pd.Series, edges: pd.DataFrame) -> pd.Series:
    """The connected component of every node (a label: the smallest node id in it)."""
    nodes = pd.Index(nodes.astype(str).unique())
    left = nodes.get_indexer(edges.unique_id_l.astype(str))
    right = nodes.get_indexer(edges.unique_id_r.astype(str))
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    label = pd.Series(labels, index=nodes)
    first = pd.Series(nodes, index=nodes).groupby(label.values).transform("min")
    return pd.Series(first.values, index=nodes)


def split_weakly_held(clusters: pd.DataFrame, edges: pd.DataFrame,
                      notes: list[str]) -> pd.DataFrame:
    """Split every large entity held together only by links below model.STRONG_LINK."""
    sizes = clusters.groupby("cluster_id")["unique_id"].transform("size")
    large = clusters[sizes > S.LARGE_ENTITY_RECORDS]
    if large.empty:
        return clusters
    members = set(large.unique_id)
    strong = edges[(edges.match_probability >= S.STRONG_LINK)
                   & edges.unique_id_l.isin(members) & edges.unique_id_r.isin(members)]
    group = components(large.unique_id, strong)
    frame = large.assign(group=large.unique_id.map(group))
    largest = frame.groupby(["cluster_id", "group"]).size().groupby("cluster_id").max()
    size = frame.groupby("cluster_id").size()
    weak = largest[largest * 2 < size].index
    if len(weak) == 0:
        return clusters
    clusters = clusters.copy()
    split = clusters.cluster_id.isin(weak)
    clusters.loc[split, "cluster_id"] = clusters.loc[split, "unique_id"].map(group)
    notes.append(
        f"{len(weak):,} entit{'y' if len(weak) == 1 else 'ies'} of more than "
        f"{S.LARGE_ENTITY_RECORDS} records held together only by links below probability "
        f"{S.STRONG_LINK} (no strongly linked group held half of its records) split into "
        f"{frame[frame.cluster_id.isin(weak)].group.nunique():,} entities"
    )
    return clusters


def _find(parent: dict, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def split_rejected(clusters: pd.DataFrame, edges: pd.DataFrame, rejected: pd.DataFrame) -> pd.DataFrame:
    """Split any entity that holds both records of a rejected pair.

    Connected components can join two records a reviewer said differ through a chain of
    other links; within such an entity the weakest links are dropped, one at a time, until
    every rejected pair is apart.
    """
    if rejected.empty:
        return clusters
    cid = clusters.set_index("unique_id")["cluster_id"]
    bad = {cid.get(a) for a, b in zip(rejected.unique_id_l, rejected.unique_id_r)
           if a in cid.index and b in cid.index and cid[a] == cid[b]}
    if not bad:
        return clusters
    clusters = clusters.copy()
    for cluster in bad:
        members = set(clusters.loc[clusters.cluster_id == cluster, "unique_id"])
        e = edges[edges.unique_id_l.isin(members) & edges.unique_id_r.isin(members)]
        e = e.sort_values("match_probability", ascending=False)
        rej = [(a, b) for a, b in zip(rejected.unique_id_l, rejected.unique_id_r)
               if a in members and b in members]
        kept = list(zip(e.unique_id_l, e.unique_id_r))
        while kept:
            parent = {m: m for m in members}
            for a, b in kept:
                parent[_find(parent, a)] = _find(parent, b)
            if all(_find(parent, a) != _find(parent, b) for a, b in rej):
                break
            kept.pop()  # drop the weakest remaining link
        else:
            parent = {m: m for m in members}
        roots: dict = {}
        for m in sorted(members):
            roots.setdefault(_find(parent, m), m)
        new_ids = {m: roots[_find(parent, m)] for m in members}
        mask = clusters.cluster_id == cluster
        clusters.loc[mask, "cluster_id"] = clusters.loc[mask, "unique_id"].map(new_ids)
    return clusters


__all__ = ["components", "split_rejected", "split_weakly_held"]
