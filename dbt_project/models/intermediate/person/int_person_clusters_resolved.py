"""Persons: clusters of person records (shequyun.resolution.cluster.cluster_records): trusted-ID groups (a former
ID number counts as the register's corrected one: int_person_records_keyed.corrected_id; passport / permit groups),
then accepted Fellegi–Sunter links best first, never two valid ID numbers in one cluster, with the
committee decisions of the person_link_decisions seed applied. model_cluster_id is the clustering the
model alone would give (used by the decision audit). The keep-apart pairs (strongly contradicting, millions
at city scale) are joined to the link graph's components in DuckDB first: only pairs inside one component can
ever matter to the clustering, so only those are read into Python. The model-alone clustering is recomputed only
for the components a decision touches (shequyun.resolution.cluster.model_cluster_ids)."""

from shequyun.resolution.cluster import (
    cluster_records,
    link_components,
    model_cluster_ids,
)


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_person_records_keyed").project("record_person_key, record_key, coalesce(corrected_id, valid_id) as valid_id, id_trusted, document_key, "
                                                     "corrected_id is not null as id_corrected").df()
    links = dbt.ref("int_person_links_scored").filter("is_accepted and rule = 'fellegi_sunter'").project(
        "record_person_key_a, record_person_key_b, match_weight").df()
    decisions = dbt.ref("person_link_decisions").project(
        "record_person_key_a, record_person_key_b, decision, decided_at").df()
    component_of = link_components(records, links, decisions)
    components = session.from_df(component_of)
    apart = (
        dbt.ref("int_person_links_scored").filter("is_contradicted")
        .join(components.project("record_person_key as record_person_key_a, component as component_a"),
              "record_person_key_a")
        .join(components.project("record_person_key as record_person_key_b, component as component_b"),
              "record_person_key_b")
        .filter("component_a = component_b")
        .project("record_person_key_a, record_person_key_b")
        .df()
    )
    resolved = cluster_records(records, links, decisions, keep_apart=apart)
    # the model's own clustering, for the audit (the same outside the components a decision touches)
    resolved["model_cluster_id"] = model_cluster_ids(records, links, decisions, resolved, component_of,
                                                     keep_apart=apart).to_numpy()
    return resolved
