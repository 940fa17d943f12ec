"""Clustering: the valid-ID guard, best-scoring attachment, committee decisions, chain cap, key stability."""

from __future__ import annotations

import itertools
import random

import pandas as pd

from shequyun.resolution.cluster import (
    cluster_records,
    link_components,
    model_cluster_ids,
)

ID_A = "310104198001010011"
ID_B = "310104198001010038"


def _records(rows: list[tuple[str, str | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame([(k, "rk:" + k, vid, trusted) for k, vid, trusted in rows],
                        columns=["record_person_key", "record_key", "valid_id", "id_trusted"])


def _links(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_person_key_a", "record_person_key_b", "match_weight"])


def _decisions(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_person_key_a", "record_person_key_b", "decision", "decided_at"])


def _together(out: pd.DataFrame, a: str, b: str) -> bool:
    c = out.set_index("record_person_key")["person_cluster_id"]
    return bool(c[a] == c[b])


def _ids_per_cluster(out: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    df = out.merge(records, on="record_person_key")
    return df.dropna(subset=["valid_id"]).groupby("person_cluster_id")["valid_id"].nunique()


def test_records_sharing_a_trusted_id_form_one_cluster_and_two_ids_never_merge() -> None:
    records = _records([("a1", ID_A, True), ("a2", ID_A, True), ("b1", ID_B, True), ("x", None, False),
                        ("y", None, False)])
    # x links strongly to both ID clusters and y chains them: transitive closure would merge A and B
    links = _links([("a1", "x", 20.0), ("b1", "x", 15.0), ("x", "y", 30.0), ("b1", "y", 25.0), ("a2", "b1", 5.0)])
    out = cluster_records(records, links)
    assert _together(out, "a1", "a2")
    assert not _together(out, "a1", "b1")
    assert (_ids_per_cluster(out, records) <= 1).all()
    # x and y are linked to each other best (30), then that pair's best ID link is b1-y (25) before a1-x (20)
    assert _together(out, "x", "y") and _together(out, "y", "b1")
    assert out.set_index("record_person_key").loc["x", "attached_by"] == "fellegi_sunter"
    assert out.set_index("record_person_key").loc["a1", "attached_by"] == "id_exact"


def test_a_record_without_id_attaches_to_its_best_scoring_id_cluster() -> None:
    records = _records([("a1", ID_A, True), ("b1", ID_B, True), ("x", None, False)])
    for wa, wb, best in [(9.0, 12.0, "b1"), (12.0, 9.0, "a1")]:
        out = cluster_records(records, _links([("a1", "x", wa), ("b1", "x", wb)]))
        assert _together(out, "x", best)
        assert out.groupby("person_cluster_id").size().max() == 2


def test_contradicted_valid_id_never_joins_another_id() -> None:
    # a valid ID contradicted by its record's birth date is not a key, but still blocks a merge with another ID
    records = _records([("a1", ID_A, True), ("c", ID_B, False)])
    out = cluster_records(records, _links([("a1", "c", 40.0)]))
    assert not _together(out, "a1", "c")


def test_must_link_forces_a_merge_even_across_ids_and_is_recorded() -> None:
    records = _records([("a1", ID_A, True), ("b1", ID_B, True), ("x", None, False), ("y", None, False)])
    decisions = _decisions([("a1", "b1", "must_link", "2026-10-01"), ("x", "y", "must_link", "2026-10-01")])
    out = cluster_records(records, _links([]), decisions)
    assert _together(out, "a1", "b1") and _together(out, "x", "y")
    assert not _together(out, "a1", "x")
    assert out.set_index("record_person_key").loc["x", "attached_by"] == "must_link"


def test_cannot_link_removes_a_link_and_holds_across_a_transitive_chain() -> None:
    records = _records([("a1", ID_A, True), ("x", None, False), ("y", None, False), ("z", None, False)])
    links = _links([("a1", "x", 20.0), ("x", "y", 19.0), ("y", "z", 18.0)])
    assert _together(cluster_records(records, links), "a1", "z")  # the model chains all four
    decisions = _decisions([("z", "a1", "cannot_link", "2026-10-01")])
    out = cluster_records(records, links, decisions)
    assert not _together(out, "a1", "z")
    assert _together(out, "a1", "x") and _together(out, "a1", "y")  # the stronger links still hold
    # direct link removed
    out2 = cluster_records(records, _links([("a1", "x", 20.0)]), _decisions([("a1", "x", "cannot_link", "2026-10-01")]))
    assert not _together(out2, "a1", "x")


def test_cannot_link_splits_records_sharing_a_trusted_id_and_latest_decision_wins() -> None:
    records = _records([("a1", ID_A, True), ("a2", ID_A, True), ("a3", ID_A, True)])
    out = cluster_records(records, _links([]), _decisions([("a1", "a3", "cannot_link", "2026-10-01")]))
    assert not _together(out, "a1", "a3")
    keys = out.set_index("record_person_key")["person_key"]
    assert keys["a1"] != keys["a3"]  # two persons now, two keys, although both clusters hold ID_A
    later = _decisions([("a1", "a3", "cannot_link", "2026-10-01"), ("a3", "a1", "must_link", "2026-10-02")])
    assert _together(cluster_records(records, _links([]), later), "a1", "a3")


def test_cannot_link_beats_must_link_on_another_pair() -> None:
    records = _records([("x", None, False), ("y", None, False), ("z", None, False)])
    decisions = _decisions([("x", "y", "must_link", "2026-10-01"), ("y", "z", "must_link", "2026-10-01"),
                            ("x", "z", "cannot_link", "2026-10-01")])
    out = cluster_records(records, _links([]), decisions)
    assert not _together(out, "x", "z")


def test_model_keep_apart_pairs_hold_through_chains() -> None:
    records = _records([("a1", ID_A, True), ("x", None, False), ("y", None, False)])
    links = _links([("x", "y", 30.0), ("a1", "x", 10.0)])
    apart = pd.DataFrame({"record_person_key_a": ["a1"], "record_person_key_b": ["y"]})
    out = cluster_records(records, links, keep_apart=apart)
    assert _together(out, "x", "y") and not _together(out, "a1", "x")


def test_long_chains_without_id_are_capped() -> None:
    keys = [f"r{i:03d}" for i in range(100)]
    records = _records([(k, None, False) for k in keys])
    links = _links([(a, b, 10.0 + i / 100) for i, (a, b) in enumerate(itertools.pairwise(keys))])
    out = cluster_records(records, links, max_unanchored_size=25)
    assert out.groupby("person_cluster_id").size().max() <= 25
    assert len(out) == 100


def test_person_keys_are_stable_across_runs_and_input_order() -> None:
    records = _records([("a1", ID_A, True), ("a2", ID_A, True), ("b1", ID_B, True), ("x", None, False),
                        ("y", None, False), ("z", None, False)])
    links = _links([("a1", "x", 12.0), ("y", "z", 9.0)])
    first = cluster_records(records, links).set_index("record_person_key")
    shuffled = cluster_records(records.sample(frac=1, random_state=3), links.iloc[::-1]).set_index("record_person_key")
    assert first["person_key"].equals(shuffled.loc[first.index, "person_key"])
    assert first["person_cluster_id"].equals(shuffled.loc[first.index, "person_cluster_id"])
    # the key follows the cluster's ID, not the order or the number of its records
    fewer = cluster_records(records[records["record_person_key"] != "a2"], links).set_index("record_person_key")
    assert fewer.loc["a1", "person_key"] == first.loc["a1", "person_key"]
    assert first.loc["a1", "person_key"] != first.loc["b1", "person_key"]
    assert first.groupby("person_cluster_id")["person_key"].nunique().eq(1).all()
    assert first.drop_duplicates("person_cluster_id")["person_key"].is_unique


def test_link_components_follow_trusted_ids_links_and_must_links_and_bound_every_cluster() -> None:
    records = _records([("a1", ID_A, True), ("a2", ID_A, True), ("b1", ID_B, True), ("x", None, False),
                        ("y", None, False), ("z", None, False), ("w", ID_B, False)])
    links = _links([("a1", "x", 12.0), ("x", "b1", 11.0)])
    decisions = _decisions([("y", "z", "must_link", "2026-10-01")])
    comp = link_components(records, links, decisions).set_index("record_person_key")["component"]
    # a2 through the trusted ID, x and b1 through links, y and z through the decision; w's ID is not trusted
    assert comp["a1"] == comp["a2"] == comp["x"] == comp["b1"]
    assert comp["y"] == comp["z"] != comp["a1"]
    assert comp["w"] not in {comp["a1"], comp["y"]}
    out = cluster_records(records, links, decisions).set_index("record_person_key")
    assert out.groupby("person_cluster_id").apply(lambda g: comp[g.index].nunique()).eq(1).all()
    # keep-apart pairs across components change nothing
    apart = pd.DataFrame({"record_person_key_a": ["a1", "x"], "record_person_key_b": ["y", "w"]})
    assert cluster_records(records, links, decisions, keep_apart=apart).equals(cluster_records(records, links, decisions))


def test_records_without_an_id_sharing_a_passport_start_one_cluster_that_an_id_cluster_may_still_join() -> None:
    records = _records([("p1", None, False), ("p2", None, False), ("p3", None, False), ("a1", ID_A, True),
                        ("h1", None, False)])
    records["document_key"] = ["E12345678", "E12345678", "E99999999", None, "H1234567801"]
    # h1 (a travel permit) is linked by the model to a1 (the same person's 居住证): documents are no ID guard
    out = cluster_records(records, _links([("a1", "h1", 12.0)])).set_index("record_person_key")
    assert out.loc["p1", "person_cluster_id"] == out.loc["p2", "person_cluster_id"] != out.loc["p3", "person_cluster_id"]
    assert out.loc["p1", "attached_by"] == out.loc["p2", "attached_by"] == "document_exact"
    assert out.loc["p3", "attached_by"] == "singleton"
    assert out.loc["h1", "person_cluster_id"] == out.loc["a1", "person_cluster_id"]
    components = link_components(records, _links([])).set_index("record_person_key")["component"]
    assert components["p1"] == components["p2"] != components["p3"]


def test_a_former_id_number_given_as_the_corrected_one_joins_its_cluster_and_says_so() -> None:
    # the caller passes the register's corrected number for records carrying the former one (id_corrected)
    records = _records([("reg", ID_A, True), ("old1", ID_A, True), ("old2", ID_A, True), ("b", ID_B, True)])
    records["id_corrected"] = [False, True, True, False]
    out = cluster_records(records, _links([])).set_index("record_person_key")
    assert out.loc["reg", "person_cluster_id"] == out.loc["old1", "person_cluster_id"] == out.loc["old2", "person_cluster_id"]
    assert out.loc["reg", "attached_by"] == "id_exact"
    assert out.loc["old1", "attached_by"] == out.loc["old2", "attached_by"] == "id_corrected"
    assert out.loc["b", "attached_by"] == "singleton"


def test_model_cluster_ids_recluster_only_decided_components_and_equal_a_full_model_only_clustering() -> None:
    rng = random.Random(20261207)
    for trial in range(30):
        n = 60
        keys = [f"r{i:03d}" for i in range(n)]
        ids = [f"3101041980010100{j:02d}" for j in range(8)]
        records = _records([(k, rng.choice(ids) if rng.random() < 0.4 else None, rng.random() < 0.8) for k in keys])
        links = _links([(a, b, rng.uniform(3, 20)) for a, b in
                        {tuple(sorted(rng.sample(keys, 2))) for _ in range(50)}])
        apart = pd.DataFrame([tuple(sorted(rng.sample(keys, 2))) for _ in range(8)],
                             columns=["record_person_key_a", "record_person_key_b"])
        decisions = _decisions([(*rng.sample(keys, 2), rng.choice(["must_link", "cannot_link"]), f"2026-10-{d:02d}")
                                for d in range(1, rng.randint(1, 5))])
        resolved = cluster_records(records, links, decisions, keep_apart=apart)
        components = link_components(records, links, decisions)
        full = cluster_records(records, links, None, keep_apart=apart).set_index("record_person_key")["person_cluster_id"]
        before = resolved.copy()
        got = model_cluster_ids(records, links, decisions, resolved, components, keep_apart=apart)
        assert got.equals(full.reindex(got.index)), f"trial {trial}"
        assert resolved.equals(before), "the clustering with decisions must not change"
        # some trials must have decisions that change the clustering, or the test proves nothing
        if trial == 0:
            changed = 0
        changed += int(not resolved.set_index("record_person_key")["person_cluster_id"].equals(full))
    assert changed >= 5
