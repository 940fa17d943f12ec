{#- 公房租赁台账: one row per house without a property title (房屋类型 无产权登记 in rpt_ledger__house_basics).
    公房租赁 houses are state-owned and carry no 不动产权证, so the title register does not name them; a titled
    house whose title the register lacks would appear here too. -#}

{{ ledger_select(ref('rpt_ledger__house_basics'), where="house_type = '无产权登记'") }}
