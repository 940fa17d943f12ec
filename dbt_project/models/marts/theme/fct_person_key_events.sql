{#- Merges and splits of persons between builds, with their evidence, from the history of which person each record
    belonged to (snap_person_record_keys). A build that moves records from one person key to another is one instant
    (changed_at, the snapshot's time of that build). At that instant:
      merge  a person key that receives records from two or more keys (the keys the records came from, and itself when
             some of its own records stayed): the persons were found to be one;
      split  a person key whose records go to two or more keys (counting itself when some stayed): one person became
             several;
      rekey  all records of one key move together to one other key (the cluster's main ID number changed, e.g. a
             重号 corrected in the register): the same person under a new key.
    A move that is part of a merge and of a split at once is reported as both. Persons that appear or disappear whole
    are not events here (dim_person and snap_dim_person show them). -#}
with

versions as (
    select record_person_key, person_key, attached_by, attach_weight, dbt_valid_from, dbt_valid_to
    from {{ ref('snap_person_record_keys') }}
),

moves as (
    -- a record's version closed at the instant another version of it opened under another key
    select
        before.record_person_key,
        before.person_key as from_key,
        after.person_key as to_key,
        after.dbt_valid_from as changed_at,
        after.attached_by,
        after.attach_weight
    from versions as before
    inner join versions as after
        on after.record_person_key = before.record_person_key
        and after.dbt_valid_from = before.dbt_valid_to
    where after.person_key <> before.person_key
),

-- keys that kept some of their records across the instant (a version under the key open before and after it)
kept as (
    select distinct moved.changed_at, versions.person_key
    from (select distinct changed_at, from_key as person_key from moves
          union select distinct changed_at, to_key from moves) as moved
    inner join versions
        on versions.person_key = moved.person_key
        and versions.dbt_valid_from < moved.changed_at
        and (versions.dbt_valid_to is null or versions.dbt_valid_to > moved.changed_at)
),

-- each move seen from both of its keys: the key the records went into and the key they left
sides as (
    select changed_at, 'into' as side, to_key as person_key, from_key as other_key, attached_by, attach_weight
    from moves
    union all
    select changed_at, 'out', from_key, to_key, attached_by, attach_weight
    from moves
),

by_key as (
    select
        sides.changed_at,
        sides.side,
        sides.person_key,
        list(distinct sides.other_key order by sides.other_key) as other_keys,
        count(*) as records_moved,
        list(distinct sides.attached_by order by sides.attached_by) as attached_by,
        max(sides.attach_weight) as best_attach_weight,
        bool_or(kept.person_key is not null) as kept_records
    from sides
    left join kept on kept.changed_at = sides.changed_at and kept.person_key = sides.person_key
    group by sides.changed_at, sides.side, sides.person_key
),

into_key as (
    select * exclude (side, other_keys), other_keys as from_keys from by_key where side = 'into'
),

out_of_key as (
    select * exclude (side, other_keys), other_keys as to_keys from by_key where side = 'out'
),

events as (
    select
        changed_at,
        'merge' as event,
        person_key,
        case when kept_records then list_sort(list_append(from_keys, person_key)) else from_keys end as from_keys,
        [person_key] as to_keys,
        records_moved,
        attached_by,
        best_attach_weight
    from into_key
    where len(from_keys) + kept_records::int >= 2
    union all
    select
        changed_at,
        'split',
        person_key,
        [person_key],
        case when kept_records then list_sort(list_append(to_keys, person_key)) else to_keys end,
        records_moved,
        attached_by,
        best_attach_weight
    from out_of_key
    where len(to_keys) + kept_records::int >= 2
    union all
    -- every record of one key went to one other key, which received nothing else and kept nothing of its own
    select
        o.changed_at,
        'rekey',
        i.person_key,
        [o.person_key],
        [i.person_key],
        o.records_moved,
        o.attached_by,
        o.best_attach_weight
    from out_of_key as o
    inner join into_key as i on i.changed_at = o.changed_at and i.person_key = o.to_keys[1]
    where len(o.to_keys) = 1 and not o.kept_records and len(i.from_keys) = 1 and not i.kept_records
)

select
    cast(changed_at as timestamp with time zone) as changed_at,
    cast(event as varchar) as event,
    cast(person_key as varchar) as person_key,
    cast(from_keys as varchar[]) as from_keys,
    cast(to_keys as varchar[]) as to_keys,
    cast(records_moved as bigint) as records_moved,
    cast(attached_by as varchar[]) as attached_by,
    cast(best_attach_weight as double) as best_attach_weight
from events
