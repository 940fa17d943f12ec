"""The reference extracts (标准地址库, 区划与居村委会名录) written from a generated city's truth."""

from __future__ import annotations

import polars as pl

from connectors.config import load_source_configs
from shequyun_synth.reference import (
    build_reference_extracts,
    load_truth_city,
    reference_source_records,
)


def test_register_has_one_row_per_building_mapping_to_its_committee(address_city) -> None:
    city = load_truth_city(address_city.truth)
    register = build_reference_extracts(city)["ps_standard_addresses"]
    buildings = city.areas.filter(pl.col("level") == "building")
    assert register.height == buildings.height
    assert register["地址编码"].n_unique() == register.height
    # every house's door is in the register under the house's committee and compound
    h = city.houses.join(register, left_on=["committee_code", "compound_name", "village_group"],
                         right_on=["居委会代码", "小区", "村民小组"], how="inner").filter(pl.col("village_group").is_not_null())
    assert h["house_id"].n_unique() == city.houses.filter(pl.col("village_group").is_not_null()).height
    urban = city.houses.filter(pl.col("road").is_not_null())
    keys = ["road", "lane", "sub_lane", "number", "building"]
    joined = urban.join(register.rename(dict(zip(["路", "弄", "支弄", "号", "幢"], keys))), on=keys, how="inner",
                        nulls_equal=True)
    assert joined["house_id"].n_unique() == urban.height
    assert (joined["committee_code"] == joined["居委会代码"]).all()
    # building level, not rooms
    assert not register["标准地址"].str.contains("室").any()


def test_divisions_list_every_level_with_mailboxes(address_city) -> None:
    city = load_truth_city(address_city.truth)
    d = build_reference_extracts(city)["ca_divisions"]
    codes = d["区划代码"]
    assert codes.n_unique() == d.height
    assert set(codes.str.len_chars().unique()) == {6, 9, 12}
    assert (d.filter(codes.str.len_chars() == 6).height, d.filter(codes.str.len_chars() == 9).height) == (16, 215)
    committees = d.filter(codes.str.len_chars() == 12)
    truth_committees = city.areas.filter(pl.col("level") == "committee")
    assert set(committees["区划代码"]) == set(truth_committees["code"])
    assert (committees["电子邮箱"] == committees["区划代码"] + "@community.example.cn").all()
    assert set(committees["类型"]) <= {"居委会", "村委会"}
    # parents exist
    assert set(d.filter(codes.str.len_chars() > 6)["上级代码"]) <= set(codes)


def test_extract_headers_match_the_connector_configs_and_records_count_rows(address_city) -> None:
    city = load_truth_city(address_city.truth)
    configs = load_source_configs()
    frames = build_reference_extracts(city)
    for system, frame in frames.items():
        assert list(frame.columns) == list(configs[system].columns), system
        landed = list((address_city.landing).glob(f"*/{system}/*.csv"))
        assert len(landed) == 1 and pl.read_csv(landed[0], infer_schema=False).height == frame.height
    records = reference_source_records(city)
    assert records.group_by("system").len().sort("system").rows() == sorted((s, f.height) for s, f in frames.items())
    assert records["row_key"].cast(pl.Int64).min() == 2
