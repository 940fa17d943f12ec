{#- 重点关爱对象台账: living residents tagged 重点关爱, with why (关爱类别: the parts of the tag's rule that hold,
    tags/city/welfare.yaml), who they are and their visits - macro ledger_care_roster. -#}

with roster as (
    {{ ledger_care_roster('key_care', extra_columns=[
        "nullif(concat_ws('、',
            case when coalesce(p.tekun, false) then '特困供养' end,
            case when p.disability_category_code = 6 and p.disability_grade <= 2 then '严重精神障碍' end,
            case when p.age < 18 and coalesce(p.dibao, false) then '困境儿童' end,
            case when p.age >= 60 and coalesce(p.lives_alone, false)
                and (p.age >= 80 or coalesce(p.disabled, false) or coalesce(p.tekun, false)) then '独居老人(高龄/残疾/特困)' end
        ), '') as care_categories"
    ]) }}
)

{{ ledger_select('roster') }}
