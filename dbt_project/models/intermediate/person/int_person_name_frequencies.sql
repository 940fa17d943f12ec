-- persons (trusted ID numbers) per name, for the term-frequency adjustment of exact name agreement
-- (int_person_links_scored): part of the person match model, so read back from the data directory's stored
-- model when there is one (shequyun.resolution.match_model), else counted on this build's records
-- depends_on: {{ ref('int_person_records_keyed') }}
{% set stored = var('person_match_model') %}
{% if stored %}
select person_name, n_persons from read_parquet('{{ stored }}/name_frequencies.parquet')
{% else %}
select person_name, count(distinct valid_id) as n_persons
from {{ ref('int_person_records_keyed') }}
where id_trusted and person_name is not null
group by person_name
{% endif %}
