{#- 老年综合津贴名册: the persons the 民政 老年综合津贴 roster (ca_elderly_allowance) pays (状态 发放中), by the committee
    of the 户籍 house (the allowance is a 户籍 benefit), else of the residence house. The tier due at as_of by age
    (65-69 ¥75, 70-79 ¥150, 80-89 ¥180, 90-99 ¥350, 100+ ¥600 per month) is shown beside the paid one, and rows
    whose tier or person status needs action are flagged. -#}
{{ config(enabled=model_configured('stg_civil_affairs__elderly_allowances')) }}  {#- one department's roster: built where it is configured -#}


with base as (
    select * from {{ ref('int_ledger_person_base') }}
),

paid as (
    select
        base.*,
        case
            when base.age >= 100 then '100+'
            when base.age >= 90 then '90-99'
            when base.age >= 80 then '80-89'
            when base.age >= 70 then '70-79'
            when base.age >= 65 then '65-69'
        end as due_tier
    from base
    where base.allowance_status = '发放中'
),

final as (
    select
        {{ ledger_scope_columns('paid', 'hukou_else_residence') }},
        paid.person_key,
        paid.name,
        paid.sex,
        paid.birth_date,
        paid.age,
        paid.id_number,
        paid.population_type,
        paid.hukou_address,
        paid.residence_address,
        paid.allowance_tier,
        paid.allowance_monthly_amount,
        paid.allowance_start_date,
        paid.due_tier,
        case
            when paid.status <> 'living' then '人员已' || paid.status_label || ',应停发'
            when paid.population_type is distinct from '户籍' then '人员类别不是户籍,请核实'
            when paid.due_tier is null then '未满65周岁或年龄不详,请核实'
            when paid.due_tier <> paid.allowance_tier then '档次应调整为' || paid.due_tier
        end as action_needed,
        paid.phone
    from paid
    where coalesce(paid.hukou_committee_code, paid.committee_code) is not null
)

select * from final
