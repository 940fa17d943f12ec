"""Pinyin keys per distinct person name (pypinyin through shequyun.resolution.names, surname readings from
the ref_surname_pinyin seed): computed once per distinct name, not per record."""

from shequyun.resolution.names import romanise


def model(dbt, session):
    dbt.config(materialized="table")
    names = dbt.ref("int_person_records").filter("person_name is not null").project("person_name").distinct()
    surnames = dbt.ref("ref_surname_pinyin").project("surname, pinyin").fetchall()
    return romanise([row[0] for row in names.fetchall()], {s: p for s, p in surnames})
