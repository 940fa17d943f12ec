"""Clustering of person records, guarded against chaining, with committee decisions applied.

Records sharing a trusted ID number start in one cluster, and so do records without one that share another
identity document's number (a passport or travel permit: `document_key`, optional). Links are then applied best first (must-link
decisions, then model links by descending match weight), as in Kruskal's algorithm, and a merge is refused
when it would
  * put two different valid ID numbers in one cluster (so a record without a trusted ID ends in the
    ID cluster of its best-scoring link, never in two, and weak links cannot chain two persons together),
  * join two records a committee decided to keep apart (cannot-link, also through any chain) or two records
    whose comparison strongly contradicts (keep_apart: the evidence of a chain cannot override it), or
  * grow a cluster that holds no valid ID beyond `max_unanchored_size` records (a cap on long chains of
    ID-less records; such chains are cut at their weakest links, which are applied last).
A must-link decision overrides the valid-ID guard and the model's keep-apart pairs (the committee knows
better) but not a cannot-link decision. Records sharing a trusted ID are kept together even when the model
finds them contradicting (the ID is the key); only a committee's cannot-link splits them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

MUST_LINK = "must_link"
CANNOT_LINK = "cannot_link"


@dataclass
class _Forest:
    n: int
    ids: list[frozenset[str]]
    parent: np.ndarray = field(init=False)
    size: np.ndarray = field(init=False)
    members: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.parent = np.arange(self.n)
        self.size = np.ones(self.n, dtype=np.int64)
        self.members = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return int(root)

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.ids[ra] = self.ids[ra] | self.ids[rb]
        return ra


def _person_key(text: str) -> str:
    return "P" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:15]


def _group_keys(records: pd.DataFrame) -> np.ndarray:
    """The key records start a cluster on: the trusted ID number, else the number of another identity document
    (a foreign resident's passport, a travel permit) when the records carry `document_key`; None otherwise.
    Document numbers are prefixed so that they never equal an ID number."""
    valid = records["valid_id"].where(records["valid_id"].notna(), None).to_numpy()
    keys = np.where(records["id_trusted"].fillna(False).to_numpy(dtype=bool), valid, None)
    if "document_key" in records:
        doc = records["document_key"].where(records["document_key"].notna(), None).to_numpy()
        use = (keys == None) & (doc != None)
        keys = keys.copy()
        keys[use] = np.array(["doc:" + d for d in doc[use]], dtype=object)
    return keys


def link_components(records: pd.DataFrame, links: pd.DataFrame, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The connected components of the graph that cluster_records can merge along: records sharing a trusted ID,
    model links and must-link decisions (inputs as for cluster_records). Every cluster lies inside one component,
    so a keep-apart pair whose records are in different components can never matter: at city scale the model
    drops those pairs (most of them) before clustering.

    Returns record_person_key, component (an integer label)."""
    keys = records["record_person_key"].to_numpy()
    index = pd.Series(np.arange(len(keys)), index=keys)
    trusted = pd.Series(_group_keys(records), index=records.index)
    # a star per trusted ID: every record to the first record of its ID
    first = pd.Series(np.arange(len(keys))).groupby(trusted.to_numpy()).transform("min")
    has_id = trusted.notna().to_numpy()
    sources = [np.arange(len(keys))[has_id], index.reindex(links["record_person_key_a"]).to_numpy()]
    targets = [first.reindex(np.arange(len(keys))).to_numpy()[has_id], index.reindex(links["record_person_key_b"]).to_numpy()]
    if decisions is not None and len(decisions):
        must = decisions[decisions["decision"] == MUST_LINK]
        sources.append(index.reindex(must["record_person_key_a"]).to_numpy())
        targets.append(index.reindex(must["record_person_key_b"]).to_numpy())
    a = np.concatenate([np.asarray(x, dtype=float) for x in sources])
    b = np.concatenate([np.asarray(x, dtype=float) for x in targets])
    ok = ~(np.isnan(a) | np.isnan(b))
    graph = coo_matrix((np.ones(int(ok.sum()), dtype=np.int8), (a[ok].astype(np.int64), b[ok].astype(np.int64))),
                       shape=(len(keys), len(keys)))
    _, labels = connected_components(graph, directed=False)
    return pd.DataFrame({"record_person_key": keys, "component": labels})


def cluster_records(records: pd.DataFrame, links: pd.DataFrame, decisions: pd.DataFrame | None = None, *,
                    keep_apart: pd.DataFrame | None = None, max_unanchored_size: int = 60) -> pd.DataFrame:
    """records: record_person_key, record_key, valid_id (a valid ID number or null), id_trusted (the valid ID
    agrees with the record's birth date and sex: records sharing it start in one cluster).
    links: record_person_key_a, record_person_key_b, match_weight (accepted model links only).
    decisions: record_person_key_a, record_person_key_b, decision ('must_link' / 'cannot_link'), decided_at.
    keep_apart: record_person_key_a, record_person_key_b: pairs the model found strongly contradicting (kept
    apart through chains like a cannot-link, but a must-link decision still joins them).

    Returns one row per record: record_person_key, person_cluster_id (smallest record_person_key of the
    cluster), person_key (stable: hash of the cluster's main trusted ID, else of its smallest record_key),
    main_id_number, cluster_size, attached_by (id_exact / id_corrected / document_exact / fellegi_sunter / must_link / singleton),
    attach_weight."""
    recs = records.sort_values("record_person_key", kind="stable").reset_index(drop=True)
    keys = recs["record_person_key"].to_numpy()
    index = pd.Series(np.arange(len(recs)), index=keys)
    valid = recs["valid_id"].where(recs["valid_id"].notna(), None).to_numpy()
    trusted = np.where(recs["id_trusted"].fillna(False).to_numpy(dtype=bool), valid, None)
    start_keys = _group_keys(recs)     # trusted IDs, and document numbers of records without one
    # the guard looks at every valid ID number, trusted or contradicted
    forest = _Forest(len(recs), [frozenset([t]) if t else frozenset() for t in valid])

    dec = decisions if decisions is not None else pd.DataFrame(
        columns=["record_person_key_a", "record_person_key_b", "decision", "decided_at"])
    known = index.index          # its hash table is built once and used by every lookup below (isin would rebuild it)
    dec = dec[(known.get_indexer(dec["record_person_key_a"]) >= 0) & (known.get_indexer(dec["record_person_key_b"]) >= 0)]
    # the latest decision on a pair wins
    dec = dec.assign(_a=np.minimum(dec["record_person_key_a"], dec["record_person_key_b"]),
                     _b=np.maximum(dec["record_person_key_a"], dec["record_person_key_b"]))
    dec = dec.sort_values(["_a", "_b", "decided_at"], kind="stable").drop_duplicates(["_a", "_b"], keep="last")
    cannot = dec[dec["decision"] == CANNOT_LINK]
    must = dec[dec["decision"] == MUST_LINK]
    apart = keep_apart if keep_apart is not None else pd.DataFrame(columns=["record_person_key_a", "record_person_key_b"])
    apart = apart[(known.get_indexer(apart["record_person_key_a"]) >= 0)
                  & (known.get_indexer(apart["record_person_key_b"]) >= 0)]
    # per cluster root: the records it must stay apart from (merged smaller into larger on union)
    decided: dict[int, set[int]] = {}  # committee cannot-links
    contradicted: dict[int, set[int]] = {}  # the model's keep-apart pairs
    cannot_pairs: set[tuple[int, int]] = set()
    for frame, target in ((cannot, decided), (apart, contradicted)):
        for a, b in zip(index[frame["record_person_key_a"]].to_numpy(), index[frame["record_person_key_b"]].to_numpy()):
            a, b = int(a), int(b)
            target.setdefault(a, set()).add(b)
            target.setdefault(b, set()).add(a)
            if target is decided:
                cannot_pairs.add((min(a, b), max(a, b)))

    def blocked(ra: int, rb: int, by_model: bool = True) -> bool:
        for forbidden in ((decided, contradicted) if by_model else (decided,)):
            fa, fb = forbidden.get(ra), forbidden.get(rb)
            if not fa and not fb:
                continue
            if fa and (not fb or len(fa) <= len(fb)):
                if any(forest.find(y) == rb for y in fa):
                    return True
            elif any(forest.find(y) == ra for y in fb):
                return True
        return False

    def union(ra: int, rb: int) -> None:
        root = forest.union(ra, rb)
        other = rb if root == ra else ra
        for forbidden in (decided, contradicted):
            moved = forbidden.pop(other, None)
            if moved:
                forbidden.setdefault(root, set()).update(moved)

    # 1. trusted-ID groups: every record points to its group's first record (vectorised); groups with a record
    # that must stay apart from another are merged one record at a time so that the decision can split them
    has_id = pd.Series(start_keys).notna().to_numpy()
    groups = pd.DataFrame({"i": np.arange(len(recs))[has_id], "id": start_keys[has_id]})
    groups["first"] = groups.groupby("id")["i"].transform("min")
    touched_ids = {start_keys[x] for x in decided if start_keys[x]}
    slow = groups["id"].isin(touched_ids).to_numpy()
    fast = groups[~slow & (groups["i"] != groups["first"])]
    forest.parent[fast["i"].to_numpy()] = fast["first"].to_numpy()
    np.add.at(forest.size, fast["first"].to_numpy(), 1)
    is_fast = np.zeros(len(recs), dtype=bool)
    is_fast[fast["i"].to_numpy()] = True
    for forbidden in (decided, contradicted):
        for x in [x for x in forbidden if is_fast[x]]:
            forbidden.setdefault(int(forest.parent[x]), set()).update(forbidden.pop(x))
    for i, f in zip(groups["i"].to_numpy()[slow], groups["first"].to_numpy()[slow]):
        if i == f:
            continue
        ra, rb = forest.find(int(i)), forest.find(int(f))
        if ra != rb and not blocked(ra, rb, by_model=False):
            union(ra, rb)

    # 2. must-link decisions, then model links best first
    edges = []
    for a, b in zip(index[must["_a"]].to_numpy(), index[must["_b"]].to_numpy()):
        edges.append((2, np.inf, int(a), int(b)))
    la = index.reindex(links["record_person_key_a"]).to_numpy()
    lb = index.reindex(links["record_person_key_b"]).to_numpy()
    lw = links["match_weight"].to_numpy(dtype=float)
    ok = ~(np.isnan(la.astype(float)) | np.isnan(lb.astype(float)))
    for a, b, w in zip(la[ok].astype(int), lb[ok].astype(int), lw[ok]):
        if (min(a, b), max(a, b)) in cannot_pairs:
            continue  # a cannot-link decision removes the link itself
        edges.append((1, float(w), int(a), int(b)))
    # records are in record_person_key order, so positions order the pairs as their keys do
    edges.sort(key=lambda e: (-e[0], -e[1], min(e[2], e[3]), max(e[2], e[3])))
    for prio, _w, a, b in edges:
        ra, rb = forest.find(a), forest.find(b)
        if ra == rb or blocked(ra, rb, by_model=prio == 1):
            continue
        if prio == 1:
            ids = forest.ids[ra] | forest.ids[rb]
            if len(ids) > 1:
                continue
            if not ids and forest.size[ra] + forest.size[rb] > max_unanchored_size:
                continue
        union(ra, rb)

    roots = forest.parent.copy()
    while True:  # pointer jumping: every record to its root
        nxt = roots[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
    n = len(recs)
    out = pd.DataFrame({"record_person_key": keys, "record_key": recs["record_key"].to_numpy(), "_root": roots,
                        "_tid": trusted})
    # records are sorted by record_person_key, so the smallest key of a cluster is its smallest position
    first_pos = np.full(n, n, dtype=np.int64)
    np.minimum.at(first_pos, roots, np.arange(n))
    out["person_cluster_id"] = keys[first_pos[roots]]
    out["cluster_size"] = np.bincount(roots, minlength=n)[roots]
    rk = out["record_key"].to_numpy()
    rk_rank = np.empty(n, dtype=np.int64)
    rk_rank[np.argsort(rk, kind="stable")] = np.arange(n)
    min_rank = np.full(n, n, dtype=np.int64)
    np.minimum.at(min_rank, roots, rk_rank)
    by_rank = np.empty(n, dtype=object)
    by_rank[rk_rank] = rk
    # the cluster's main ID: the most frequent trusted ID, ties to the smallest
    counts = out.dropna(subset=["_tid"]).groupby(["_root", "_tid"]).size().rename("n").reset_index()
    counts = counts.sort_values(["_root", "n", "_tid"], ascending=[True, False, True]).drop_duplicates("_root")
    out = out.merge(counts[["_root", "_tid"]].rename(columns={"_tid": "main_id_number"}), on="_root", how="left")
    # stable key: hash of the main ID; a second cluster with the same main ID (a split decided by a
    # committee) and clusters without a trusted ID hash their smallest record_key instead
    min_rk = by_rank[min_rank[roots]]
    per_root = out.assign(_min_rk=min_rk).drop_duplicates("_root")[["_root", "main_id_number", "_min_rk"]]
    per_root = per_root.sort_values(["main_id_number", "_min_rk"], na_position="last")
    dup = per_root["main_id_number"].notna() & per_root.duplicated("main_id_number", keep="first")
    per_root["person_key"] = [
        _person_key("id:" + mid) if isinstance(mid, str) and not d else _person_key("rec:" + rk)
        for mid, rk, d in zip(per_root["main_id_number"], per_root["_min_rk"], dup)]
    out = out.merge(per_root[["_root", "person_key"]], on="_root", how="left")

    # how each record joined its cluster (evidence for explanations)
    out["attached_by"] = np.where(out["cluster_size"] == 1, "singleton", None)
    out.loc[out["_tid"].notna() & (out["_tid"] == out["main_id_number"]) & (out["cluster_size"] > 1),
            "attached_by"] = "id_exact"
    # the best link weight inside its cluster, per record (by position: la / lb hold the links' record positions)
    ia, ib = la[ok].astype(np.int64), lb[ok].astype(np.int64)
    inside = roots[ia] == roots[ib]
    weights = np.concatenate([lw[ok][inside], lw[ok][inside]])
    best = pd.Series(weights).groupby(np.concatenate([ia[inside], ib[inside]])).max()
    out["attach_weight"] = best.reindex(np.arange(n)).to_numpy()
    # records without a trusted ID that joined through a shared passport / permit number
    doc = pd.Series(start_keys, index=recs["record_person_key"]).reindex(out["record_person_key"]).to_numpy()
    is_doc = np.array([isinstance(k, str) and k.startswith("doc:") for k in doc])
    shared = pd.DataFrame({"r": out["_root"].to_numpy(), "d": doc}).groupby(["r", "d"], dropna=False)["r"].transform("size")
    out.loc[out["attached_by"].isna() & is_doc & (shared.to_numpy() > 1), "attached_by"] = "document_exact"
    if "id_corrected" in recs:          # the record's former ID number was replaced by the register's corrected one
        corrected = pd.Series(recs["id_corrected"].fillna(False).to_numpy(dtype=bool), index=recs["record_person_key"])
        out.loc[(out["attached_by"] == "id_exact")
                & corrected.reindex(out["record_person_key"]).to_numpy(), "attached_by"] = "id_corrected"
    out.loc[out["attached_by"].isna() & out["attach_weight"].notna(), "attached_by"] = "fellegi_sunter"
    out.loc[out["attached_by"].isna(), "attached_by"] = MUST_LINK
    out = out[["record_person_key", "person_cluster_id", "person_key", "main_id_number", "cluster_size",
               "attached_by", "attach_weight"]]
    # out is still in the records' order (record_person_key; the merges keep their left side's order): sorting
    # 3.6M keys again at 1M persons cost 5 s
    if not out["record_person_key"].is_monotonic_increasing:
        out = out.sort_values("record_person_key")
    return out.reset_index(drop=True)


def model_cluster_ids(records: pd.DataFrame, links: pd.DataFrame, decisions: pd.DataFrame | None,
                      resolved: pd.DataFrame, components: pd.DataFrame, *,
                      keep_apart: pd.DataFrame | None = None) -> pd.Series:
    """The cluster the model alone gives each record (as cluster_records(records, links, None, keep_apart)), for
    the decision audit, given `resolved` (cluster_records with the decisions) and `components` (link_components
    with the decisions). Components are clustered independently and a decision changes only its own component,
    so only the components a decision touches are clustered again. Returns person_cluster_id by
    record_person_key, in `resolved`'s order."""
    clusters = pd.Series(resolved["person_cluster_id"].to_numpy(copy=True), index=resolved["record_person_key"].to_numpy())
    if decisions is None or not len(decisions):
        return clusters
    component = components.set_index("record_person_key")["component"]
    decided = set(component.reindex(decisions["record_person_key_a"]).dropna()) | set(
        component.reindex(decisions["record_person_key_b"]).dropna())
    touched = set(component.index[component.isin(decided)])
    if not touched:
        return clusters
    apart = keep_apart if keep_apart is not None else pd.DataFrame(columns=["record_person_key_a", "record_person_key_b"])
    alone = cluster_records(
        records[records["record_person_key"].isin(touched)],
        links[links["record_person_key_a"].isin(touched) & links["record_person_key_b"].isin(touched)], None,
        keep_apart=apart[apart["record_person_key_a"].isin(touched) & apart["record_person_key_b"].isin(touched)])
    clusters.update(alone.set_index("record_person_key")["person_cluster_id"])
    return clusters

