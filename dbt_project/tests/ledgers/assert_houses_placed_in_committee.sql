{#- Houses the address register could not place in a committee are in no committee's house ledger (the ledgers
    are filed per committee). They are few (a 小区 door outside the 标准地址库); warn so they are looked at. -#}
{{ config(severity='warn') }}

select house_key, address, district_code
from {{ ref('dim_house') }}
where committee_code is null
