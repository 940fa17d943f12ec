"""Fellegi–Sunter m and u probabilities per comparison level, estimated from the data.

The candidate pairs are aggregated by blocking rule and comparison pattern in DuckDB (a few hundred rows);
u comes from the random pair sample; m is estimated by EM (shequyun.resolution.em) once per blocking rule,
leaving out the comparisons that rule makes agree by construction, and averaged. The prior is the chance
that two random records are the same person, counted on the records that share a trusted ID number.

A data directory scores with one stored match model (shequyun.resolution.match_model): the first build that
succeeds stores what it estimated, and every later build reads the same parameters back (config
person_match_model, the folder; var of the same name) instead of estimating them again, so a day's new records
move no weight and a full rebuild and a day's run on the same inputs score every pair alike."""

import math

from shequyun.resolution.em import estimate_by_blocking_rule, u_from_random

COMPARISONS = ["name_level", "birth_date_level", "sex_level", "phone_level", "address_level", "id_level"]
# blocking rule -> comparisons it makes agree (left out of that rule's EM session)
SESSIONS = {
    "birth_date_surname": ["birth_date_level"],
    "phone": ["phone_level"],
    "surname_door": ["name_level", "address_level"],
    "name_door": ["name_level", "address_level"],
    "id_region_birth": ["id_level", "birth_date_level"],
}


def model(dbt, session):
    dbt.config(materialized="table")
    stored = dbt.config.get("person_match_model")
    if stored:
        return session.read_parquet(f"{stored}/weights.parquet")
    compared = dbt.ref("int_person_pairs_compared")
    cols = ", ".join(COMPARISONS)
    patterns = compared.filter("not is_random_sample").aggregate(
        f"blocking_rules, {cols}, count(*) as pair_count", f"blocking_rules, {cols}").df()
    random = compared.filter("is_random_sample").aggregate(f"{cols}, count(*) as pair_count", cols).df()
    levels = {c: sorted(int(v) for v in (set(patterns[c]) | set(random[c])) - {-1}) for c in COMPARISONS}
    u = u_from_random(random, COMPARISONS, levels)
    fitted = estimate_by_blocking_rule(patterns, COMPARISONS, SESSIONS, u)

    keyed = dbt.ref("int_person_records_keyed")
    # results are read whole (fetchall): one left open on this cursor holds a lock that dbt-duckdb's commit of the
    # model (another cursor) waits on forever when that commit checkpoints (tests/dbt/test_python_models.py)
    records = keyed.aggregate("count(*)").fetchall()[0][0]
    matches = keyed.filter("id_trusted").aggregate("count(*) as n", "valid_id").aggregate(
        "coalesce(sum(n * (n - 1) / 2), 0)").fetchall()[0][0]
    random_match = max(float(matches), 1.0) / max(records * (records - 1) / 2, 1.0)

    weights = fitted.weights()
    weights["comparison"] = weights["comparison"].str.removesuffix("_level")
    weights["prior_match_weight"] = math.log2(random_match / (1 - random_match))
    weights["random_match_probability"] = random_match
    weights["candidate_match_share"] = fitted.match_share
    weights["candidate_pairs"] = int(patterns["pair_count"].sum())
    # persons with a trusted ID: the denominator of the name-frequency adjustment (int_person_name_frequencies)
    weights["trusted_persons"] = int(keyed.filter("id_trusted").aggregate("count(distinct valid_id)").fetchall()[0][0])
    return weights
