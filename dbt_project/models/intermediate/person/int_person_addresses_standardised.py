"""Address keys per distinct address of the person records (shequyun.resolution.addresses): building
suffixes unified, Chinese numerals as digits, and the door (门牌 number + building + room) that department
styles share. Computed once per distinct address, not per record."""

from shequyun.resolution.addresses import address_keys


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_person_records")
    rows = records.project("address as a").union(records.project("hukou_address as a")).distinct().fetchall()
    return address_keys(row[0] for row in rows).to_arrow()
