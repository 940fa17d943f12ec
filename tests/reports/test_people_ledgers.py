"""The people ledgers (dbt_project/models/reports/ledgers/people/rpt_ledger__*): the YAML contract every ledger keeps
(title, filed_by, frequency, scope, a Chinese header per column, pii marks), each row in the committee its basis
names, the tag-defined ledgers listing exactly the tagged persons (so they agree with 政策找人), and the ledgers
against the generator's truth on the small test city (resolved persons mapped to true persons as
shequyun.tags.evaluate does)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from shequyun.core.settings import PROJECT_ROOT

PEOPLE_DIR = PROJECT_ROOT / "dbt_project" / "models" / "reports" / "ledgers" / "people"
SCOPE_COLUMNS = ["district_code", "district_name", "street_code", "street_name", "committee_code", "committee_name"]
FREQUENCIES = {"monthly", "weekly", "quarterly", "annual"}
HAN = re.compile(r"[\u4e00-\u9fff]")

# ledger -> (basis of committee_code, tags that define its persons or None for a rule of its own)
#   residence: the committee of the residence house; hukou: of the 户籍 house; hukou_else_residence: 户籍 when known;
#   both: 人在户不在 rows at the residence committee, 户在人不在 rows at the 户籍 committee
LEDGERS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "hukou_roster": ("hukou", None),
    "migrant_registry": ("residence", ("migrant",)),
    "overseas_residents": ("residence", None),
    "separated_persons": ("both", ("hukou_separated",)),
    "elderly_60_plus": ("residence", None),
    "elderly_80_plus": ("residence", ("elderly_80",)),
    "elderly_90_plus": ("residence", ("elderly_90",)),
    "centenarians": ("residence", ("centenarian",)),
    "elderly_only_households": ("residence", ("elderly_only_household",)),
    "elderly_allowance": ("hukou_else_residence", None),
    "dibao_households": ("residence", ("dibao",)),
    "low_income_households": ("residence", ("low_income",)),
    "tekun_persons": ("residence", ("tekun",)),
    "disabled_persons": ("residence", ("disabled",)),
    "severely_disabled": ("residence", ("disabled_grade_1", "disabled_grade_2")),
    "veterans": ("residence", ("veteran",)),
    "party_members": ("residence", ("party_full_member",)),
    "probationary_party_members": ("residence", ("party_probationary_member",)),
    "ethnic_minorities": ("residence", ("ethnic_minority",)),
    "graduates": ("residence", ("graduate_this_year",)),
    "unemployed": ("residence", ("unemployment_registered",)),
    "family_doctor_signings": ("residence", ("family_doctor_signed",)),
    "minors": ("residence", None),
    "working_age_population": ("residence", None),
    "new_residents": ("residence", None),
    "moved_away": ("hukou_else_residence", None),
    "deceased": ("hukou_else_residence", None),
    "household_heads": ("hukou", None),
}
EXPECTED_COMMITTEE = {
    "residence": "p.committee_code",
    "hukou": "p.hukou_committee_code",
    "hukou_else_residence": "coalesce(p.hukou_committee_code, p.committee_code)",
    "both": "case l.separation_status when '人在户不在' then p.committee_code when '户在人不在' then p.hukou_committee_code end",
}


def _model_yaml(ledger: str) -> dict:
    doc = yaml.safe_load((PEOPLE_DIR / f"rpt_ledger__{ledger}.yml").read_text(encoding="utf-8"))
    assert len(doc["models"]) == 1, ledger
    return doc["models"][0]


def _test_names(tests: list) -> set[str]:
    return {t if isinstance(t, str) else next(iter(t)) for t in tests or []}


def test_the_folder_holds_exactly_the_people_ledgers() -> None:
    sql = {p.stem for p in PEOPLE_DIR.glob("rpt_ledger__*.sql")}
    yml = {p.stem for p in PEOPLE_DIR.glob("rpt_ledger__*.yml")}
    expected = {f"rpt_ledger__{name}" for name in LEDGERS}
    assert sql == yml == expected, (sql ^ expected, yml ^ expected)


@pytest.mark.parametrize("ledger", sorted(LEDGERS))
def test_ledger_yaml_keeps_the_contract(ledger: str) -> None:
    model = _model_yaml(ledger)
    assert model["name"] == f"rpt_ledger__{ledger}"
    assert HAN.search(model["description"]) and len(model["description"]) > 40, model["description"]
    config = model["config"]
    assert config["contract"] == {"enforced": True}
    meta = config["meta"]["ledger"]
    assert HAN.search(meta["title"]) and meta["title"] in model["description"], meta
    assert HAN.search(meta["filed_by"]), meta
    assert meta["frequency"] in FREQUENCIES, meta
    assert meta["scope"] == "committee", meta
    model_columns = [c["name"] for c in model["columns"]]
    assert set(meta.get("order_by", [])) <= set(model_columns), meta.get("order_by")

    columns = model["columns"]
    names = [c["name"] for c in columns]
    assert len(names) == len(set(names)), names
    assert names[:7] == SCOPE_COLUMNS + ["person_key"], names[:7]
    for column in columns:
        assert column.get("data_type"), (ledger, column["name"])
        assert HAN.search(column["meta"]["header"]), (ledger, column["name"], column["meta"])
        assert HAN.search(column.get("description", "")), (ledger, column["name"])
        pii = column["meta"].get("pii")
        assert pii in (None, "id_number", "phone", "account"), (ledger, column["name"], pii)
        if column["name"] in ("id_number", "disability_cert_no"):
            assert pii == "id_number", (ledger, column["name"])
        if column["name"].endswith("phone"):
            assert pii == "phone", (ledger, column["name"])
    by_name = {c["name"]: c for c in columns}
    assert by_name["person_key"]["meta"]["export"] is False
    assert [c["name"] for c in columns if c["meta"].get("export") is False] in (["person_key"], ["person_key", "house_key"])
    headers = [c["meta"]["header"] for c in columns]
    assert len(headers) == len(set(headers)), headers
    for scope in ("district_code", "street_code", "committee_code", "person_key"):
        assert "not_null" in _test_names(by_name[scope].get("data_tests")), (ledger, scope)
    relationship = next(t["relationships"] for t in by_name["committee_code"]["data_tests"] if isinstance(t, dict) and "relationships" in t)
    assert relationship["arguments"] == {"to": "ref('dim_area')", "field": "code"}
    # the row grain is tested: one row per person, or (person, 人户状态) for the 人户分离 ledger
    grain = "unique" in _test_names(by_name["person_key"].get("data_tests"))
    model_grain = [t["unique"]["column_name"] for t in model.get("data_tests", []) if "unique" in t]
    assert grain or model_grain == ["person_key || ' ' || separation_status"], ledger
    if "id_number" not in by_name:
        pytest.fail(f"{ledger}: no id_number column")


def test_minors_carry_no_phone() -> None:
    names = {c["name"] for c in _model_yaml("minors")["columns"]}
    assert not {n for n in names if "phone" in n}, names


# ---- on the built test city ---------------------------------------------------------------------------------


class _Warehouse:
    """One read-only connection to the built test database for the whole module (opening one per query is slow)."""

    def __init__(self, build) -> None:
        self.paths = build.paths
        self.duckdb_path = build.duckdb_path
        self._con = build.connect()

    def query(self, sql: str):
        return self._con.sql(sql).pl()

    def close(self) -> None:
        self._con.close()


@pytest.fixture(scope="module")
def build(full_build):
    warehouse = _Warehouse(full_build)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def as_of(build) -> str:
    return json.loads((Path(build.paths.truth).parent / "manifest.json").read_text(encoding="utf-8"))["as_of"]


@pytest.fixture(scope="module")
def truth_con(build, as_of):
    """An in-memory DuckDB with the warehouse attached as wh, person_map (resolved person -> the true person most of
    its records belong to) and tp (truth persons with age at as_of and the committees of their houses)."""
    truth = Path(build.paths.truth)
    con = duckdb.connect()
    con.execute(f"attach '{Path(build.duckdb_path).as_posix()}' as wh (read_only)")
    con.execute(f"""
        create temp table person_map as
        with votes as (
            select r.person_key, t.person_id, count(*) as n
            from wh.marts.fct_person_source_records r
            inner join read_parquet('{(truth / 'source_records.parquet').as_posix()}') t
                on r.record_key = t.system || ':' || t.source || ':' || t.row_key
            where t.person_id is not null
            group by all
        )
        select person_key, arg_max(person_id, n) as person_id from votes group by person_key
    """)
    houses = (truth / "houses.parquet").as_posix()
    con.execute(f"""
        create temp table tp as
        select p.*, p.status = 'living' as living,
               cast(date_part('year', age(cast(? as timestamp), cast(p.birth_date as timestamp))) as integer) as age,
               r.committee_code as res_committee, h.committee_code as hukou_committee, hh.household_no
        from read_parquet('{(truth / 'persons.parquet').as_posix()}') p
        left join read_parquet('{houses}') r on p.residence_house_id = r.house_id
        left join read_parquet('{houses}') h on p.hukou_house_id = h.house_id
        left join read_parquet('{(truth / 'households.parquet').as_posix()}') hh on p.household_id = hh.household_id
    """, [as_of])
    yield con
    con.close()


def test_tables_have_the_columns_of_their_yaml(build) -> None:
    columns = build.query("""
        select table_name, list(column_name order by ordinal_position) as names
        from information_schema.columns
        where table_schema = 'reports' and starts_with(table_name, 'rpt_ledger__')
        group by table_name
    """)
    actual = dict(zip(columns["table_name"], columns["names"].to_list()))
    for ledger in LEDGERS:
        expected = [c["name"] for c in _model_yaml(ledger)["columns"]]
        assert actual.get(f"rpt_ledger__{ledger}") == expected, ledger


def test_every_row_is_in_the_committee_its_basis_names(build) -> None:
    """committee_code is the residence (or 户籍) committee of the row's person in dim_person_profile, and the
    district / street codes and the committee name are those of that committee in dim_area."""
    empty = []
    for ledger, (basis, _) in LEDGERS.items():
        counts = build.query(f"""
            select
                count(*) as n,
                count(*) filter (where p.person_key is null) as unknown_person,
                count(*) filter (where l.committee_code is distinct from {EXPECTED_COMMITTEE[basis]}) as wrong_committee,
                count(*) filter (where a.code is null or a.level <> 'committee'
                                 or l.district_code <> a.district_code or l.street_code <> a.street_code
                                 or l.committee_name <> a.name) as wrong_area
            from reports.rpt_ledger__{ledger} l
            left join marts.dim_person_profile p on l.person_key = p.person_key
            left join marts.dim_area a on l.committee_code = a.code
        """).row(0, named=True)
        assert counts["unknown_person"] == counts["wrong_committee"] == counts["wrong_area"] == 0, (ledger, counts)
        if counts["n"] == 0:
            empty.append(ledger)
    # the city is big enough for almost every ledger to have rows (a 2,000-person city may lack a 百岁老人 or 特困)
    assert len(empty) <= 3, empty


def test_tag_ledgers_list_exactly_the_tagged_persons(build) -> None:
    """A ledger a tag defines lists the persons carrying the tag (fct_person_tag_current), no more, no fewer."""
    for ledger, (_, tags) in LEDGERS.items():
        if not tags:
            continue
        codes = ", ".join(f"'{t}'" for t in tags)
        diff = build.query(f"""
            with l as (select distinct person_key from reports.rpt_ledger__{ledger}),
                 t as (select distinct person_key from marts.fct_person_tag_current where tag_code in ({codes}))
            select (select count(*) from t) as tagged, (select count(*) from l) as listed,
                   (select count(*) from l where person_key not in (select person_key from t)) as extra,
                   (select count(*) from t where person_key not in (select person_key from l)) as missing
        """).row(0, named=True)
        assert diff["extra"] == diff["missing"] == 0 and diff["listed"] == diff["tagged"], (ledger, diff)
    assert build.query("select count(*) as n from reports.rpt_ledger__elderly_80_plus")["n"][0] > 20


def test_separated_persons_are_listed_on_both_sides(build) -> None:
    sides = build.query("""
        select count(*) filter (where separation_status = '人在户不在') as living_here,
               count(*) filter (where separation_status = '户在人不在') as registered_here,
               count(distinct person_key) as persons
        from reports.rpt_ledger__separated_persons
    """).row(0, named=True)
    assert sides["persons"] > 0
    assert sides["living_here"] == sides["registered_here"] == sides["persons"], sides


# truth condition over tp (see truth_con) of each ledger whose persons a rule defines; {as_of} is the manifest's
RULE_TRUTH = {
    "centenarians": "living and age >= 100",
    "elderly_90_plus": "living and age >= 90",
    "elderly_80_plus": "living and age >= 80",
    "elderly_60_plus": "living and age >= 60",
    "minors": "living and age < 18",
    "working_age_population": "living and age between 16 and 59",
    "hukou_roster": "living and population_type = '户籍'",
    "household_heads": "living and population_type = '户籍' and relation_to_head = '户主'",
    "overseas_residents": "living and population_type = '境外'",
    "migrant_registry": "living and population_type = '来沪'",
    "dibao_households": "living and dibao_case_no is not null",
    "low_income_households": "living and low_income_case_no is not null",
    "tekun_persons": "living and tekun_case_no is not null",
    "disabled_persons": "living and disability_category is not null",
    "severely_disabled": "living and disability_grade <= 2",
    "veterans": "living and veteran_no is not null",
    "party_members": "living and party_status = '正式党员'",
    "probationary_party_members": "living and party_status = '预备党员'",
    "elderly_allowance": "living and elderly_allowance_tier is not null",
    # 注销 in the 12 months up to as_of, of persons some house places in a committee
    "deceased": ("status = 'deceased' and status_date > date '{as_of}' - interval 1 year and status_date <= date '{as_of}'"
                 " and coalesce(hukou_committee, res_committee) is not null"),
    "moved_away": ("status = 'moved_away' and status_date > date '{as_of}' - interval 1 year"
                   " and status_date <= date '{as_of}' and coalesce(hukou_committee, res_committee) is not null"),
}


@pytest.mark.parametrize("ledger", sorted(RULE_TRUTH))
def test_ledger_persons_are_the_true_persons(truth_con, as_of, ledger: str) -> None:
    """The persons of the ledger, mapped to the truth, are exactly the true persons of its rule (e.g. 百岁老人名册 =
    the living true persons aged 100 or more at as_of)."""
    condition = RULE_TRUTH[ledger].format(as_of=as_of)
    listed, truth_n, extra, missing = truth_con.execute(f"""
        with l as (
            select distinct coalesce(m.person_id, 'unmapped:' || x.person_key) as person_id
            from wh.reports.rpt_ledger__{ledger} x left join person_map m using (person_key)
        ),
        t as (select person_id from tp where coalesce({condition}, false))
        select (select count(*) from l), (select count(*) from t),
               (select count(*) from l where person_id not in (select person_id from t)),
               (select count(*) from t where person_id not in (select person_id from l))
    """).fetchone()
    assert extra == 0 and missing == 0, (ledger, {"listed": listed, "truth": truth_n, "extra": extra, "missing": missing})


# (ledger, ledger column, truth column of tp): the prefilled department facts are the true ones
TRUE_FIELDS = [
    ("dibao_households", "case_no", "dibao_case_no"),
    ("low_income_households", "case_no", "low_income_case_no"),
    ("tekun_persons", "case_no", "tekun_case_no"),
    ("tekun_persons", "support_type", "tekun_support_type"),
    ("disabled_persons", "disability_cert_no", "disability_cert_no"),
    ("veterans", "veteran_no", "veteran_no"),
    ("party_members", "party_branch", "party_branch"),
    ("hukou_roster", "household_no", "household_no"),
    ("hukou_roster", "relation_to_head", "relation_to_head"),
    ("graduates", "school", "graduate_school"),
    ("family_doctor_signings", "sign_org", "family_doctor_org"),
    ("elderly_allowance", "allowance_tier", "elderly_allowance_tier"),
    ("migrant_registry", "arrived_on", "arrived_on"),
    ("migrant_registry", "residence_permit_no", "residence_permit_no"),
    ("hukou_roster", "committee_code", "hukou_committee"),
    ("household_heads", "committee_code", "hukou_committee"),
    ("elderly_60_plus", "committee_code", "res_committee"),
    ("migrant_registry", "committee_code", "res_committee"),
]
# the residence committee rests on the golden residence house (stale addresses in some records); the rest is exact
FIELD_FLOOR = {("elderly_60_plus", "committee_code"): 0.99, ("migrant_registry", "committee_code"): 0.99}


@pytest.mark.parametrize(("ledger", "column", "truth_column"), TRUE_FIELDS)
def test_prefilled_fields_match_the_truth(truth_con, ledger: str, column: str, truth_column: str) -> None:
    n, same, example = truth_con.execute(f"""
        select count(*),
               count(*) filter (where x.{column} is not distinct from t.{truth_column}),
               any_value(x.person_key || ': ' || coalesce(x.{column}::varchar, 'null') || ' vs '
                         || coalesce(t.{truth_column}::varchar, 'null'))
                   filter (where x.{column} is distinct from t.{truth_column})
        from wh.reports.rpt_ledger__{ledger} x
        inner join person_map m using (person_key)
        inner join tp t using (person_id)
    """).fetchone()
    assert n > 0, ledger
    assert same / n >= FIELD_FLOOR.get((ledger, column), 1.0), (ledger, column, n, same, example)


def test_elderly_allowance_tiers_and_actions(build) -> None:
    """应享档次 follows the age brackets of domain.md §4, and a paid person who is no longer living is flagged to stop."""
    wrong = build.query("""
        select count(*) filter (where l.due_tier is distinct from case
                   when p.age >= 100 then '100+' when p.age >= 90 then '90-99' when p.age >= 80 then '80-89'
                   when p.age >= 70 then '70-79' when p.age >= 65 then '65-69' end) as wrong_due,
               count(*) filter (where p.status <> 'living' and coalesce(l.action_needed, '') not like '%应停发%') as unflagged_dead,
               count(*) filter (where p.status = 'living' and p.population_type = '户籍' and l.due_tier = l.allowance_tier
                                and l.action_needed is not null) as flagged_fine,
               count(*) as n
        from reports.rpt_ledger__elderly_allowance l join marts.dim_person_profile p using (person_key)
    """).row(0, named=True)
    assert wrong["n"] > 0 and wrong["wrong_due"] == wrong["unflagged_dead"] == wrong["flagged_fine"] == 0, wrong


def test_low_income_expiry_flag(build, as_of) -> None:
    counts = build.query(f"""
        select count(*) filter (where is_expired is distinct from case when end_date < date '{as_of}' then '是'
                                                                      when end_date >= date '{as_of}' then '否' end) as wrong,
               count(*) as n
        from reports.rpt_ledger__low_income_households
    """).row(0, named=True)
    assert counts["n"] > 0 and counts["wrong"] == 0, counts


def test_household_heads_count_their_members(build) -> None:
    """户内人数 = the living 户籍 persons of the 户号 on the 户籍人口花名册, and every 户 of the roster has its head
    listed unless the head is no longer living."""
    wrong = build.query("""
        with roster as (select household_no, count(*) as n from reports.rpt_ledger__hukou_roster
                        where household_no is not null group by household_no)
        select count(*) filter (where h.member_count <> roster.n) as wrong, count(*) as heads
        from reports.rpt_ledger__household_heads h join roster using (household_no)
    """).row(0, named=True)
    assert wrong["heads"] > 0 and wrong["wrong"] == 0, wrong


def test_new_residents_arrived_within_three_months(build, as_of) -> None:
    window = build.query(f"""
        select count(*) as n,
               count(*) filter (where residence_since <= date '{as_of}' - interval 3 month
                                or residence_since > date '{as_of}') as outside
        from reports.rpt_ledger__new_residents
    """).row(0, named=True)
    expected = build.query(f"""
        select count(*) as n from marts.dim_person_profile
        where status = 'living' and committee_code is not null
          and residence_since > date '{as_of}' - interval 3 month and residence_since <= date '{as_of}'
    """)["n"][0]
    assert window["outside"] == 0 and window["n"] == expected > 0, (window, expected)


def test_the_export_catalogue_reads_every_people_ledger() -> None:
    """exports.catalogue (contract 4) parses the 28 ledgers with their headers, pii marks and hidden person_key."""
    from exports.catalogue import load_ledgers

    ledgers = {led.name: led for led in load_ledgers() if led.name in LEDGERS}
    assert set(ledgers) == set(LEDGERS)
    for name, led in ledgers.items():
        model = _model_yaml(name)
        assert led.scope == "committee" and led.title == model["config"]["meta"]["ledger"]["title"], name
        assert [c.name for c in led.columns] == [c["name"] for c in model["columns"]], name
        assert "person_key" not in [c.name for c in led.exported_columns], name
        assert {c.name: c.pii for c in led.columns if c.pii}.get("id_number") == "id_number", name


def test_elderly_only_households_name_the_other_members(build) -> None:
    """Each member of a 纯老家庭 names the other living registered residents of the house: household_living_count - 1
    names, every one of them on the ledger too (they are all 60+)."""
    counts = build.query("""
        select count(*) as n,
               count(*) filter (where household_living_count < 2
                                or len(string_split(other_members, '、')) <> household_living_count - 1) as wrong,
               count(*) filter (where house_key not in (select house_key from reports.rpt_ledger__elderly_only_households
                                                        group by house_key having count(*) >= 2)) as alone_on_ledger
        from reports.rpt_ledger__elderly_only_households
    """).row(0, named=True)
    assert counts["n"] > 0 and counts["wrong"] == 0 and counts["alone_on_ledger"] == 0, counts
