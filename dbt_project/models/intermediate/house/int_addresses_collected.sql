{#- Every address string of every staging model, one row per (record, role).
    role: residence (居住地址 and the like), hukou (户籍地址), property (房屋坐落), visit (走访地址, written by 小区 name),
    family (应届毕业生's 家庭地址: the family's home as the school recorded it, not where the graduate lives now).
    names_record_house: the address that names the record's house (its residence/property/visit address; the 户籍地址
    when the system has no other address) - the one house accuracy is measured on.
    id_number, person_name: the record's valid ID number and name (the owner's for a title), used to tell apart the
    doors of one 小区 that a 小区-name address cannot (int_house_records_resolved).
    The roles come from each connector YAML (resolution.addresses, defaults in connectors/staging.py). -#}
with collected as (
    -- every address role of every system (the connector YAMLs' resolution.addresses; macro address_role_records)
    {{ address_role_records() }}
)

select * from collected
