"""The default profile's city is unchanged by the generator profiles (issue 9 item 6): a small default city, pinned
file by file (content digests, shequyun_synth.digest) as the generator wrote it before profiles were added.

The default extracts follow connectors/sources/*.yaml (their extract contract): a deliberate change there, or in the
default generator, changes these digests. Then regenerate them (the command in PINS_HOW) and say why in the commit.
"""

from __future__ import annotations

from pathlib import Path

from shequyun_synth.digest import content_digest
from shequyun_synth.generate import generate_city

PERSONS, SEED = 800, 20261126
PINS_HOW = ("python -c 'from pathlib import Path; from shequyun_synth.generate import generate_city; "
            "from shequyun_synth.digest import content_digest; generate_city(Path(\"/tmp/c\"), persons=800, "
            "seed=20261126, progress=False); print(content_digest(Path(\"/tmp/c\")))'")
PINS = {
    "db/ca_elderly_allowance.parquet":
        "07555d389c15541d3c58bbfb4e0357da4df7499f7e64edff928ef35c86150804",
    "db/ps_population.parquet":
        "e41a236b6e04c6934ac3aad0d1b9c45c8f28cba29ff6a7f6114b91a15271cf99",
    "landing/civil_affairs/ca_dibao/ca_dibao_20261101.xlsx":
        "0c07c92ca71a0d87253ca5693fc273eec7bb4e538cc997db69482e28673723a6",
    "landing/civil_affairs/ca_divisions/ca_divisions_20261101.csv":
        "a72030035ebad781429fe6f5da372cbf1b5c3f08a324fd632dfdb3c7cfb157cc",
    "landing/civil_affairs/ca_low_income/ca_low_income_20261101.csv":
        "344b9c915dc6800d327439a7cadbdcfc0872f1de1703c69d078dc5ad94fc614b",
    "landing/civil_affairs/ca_tekun/ca_tekun_20261101.jsonl":
        "d64f0d74678ba7d415c14a7645d5560cf70e9cef75a24da37e1477decea50fd8",
    "landing/community_committees/cc_visits/cc_visits_20261101.jsonl":
        "6ef11341c7d94131cefcb91bfa87c990693ca6d1c7f6df01fa43975082cebe6e",
    "landing/disabled_persons_federation/dpf_disability/dpf_disability_20261101.xlsx":
        "58837917e34dd906ac1a5bd0dae023f9c5f188e45e1123dd1605d0c4e76fe4fe",
    "landing/education/ed_graduates/ed_graduates_20261101.parquet":
        "85173f0471d78299da226378e9778f81c0a9b0349d323eaff8030603bc751cc0",
    "landing/health_commission/hc_family_doctor/hc_family_doctor_20261101.parquet":
        "c00cccb94bcbc37fe21f7af2c73ecce45d3b0a0e21b67bc98d69d3a6d22ad72f",
    "landing/housing_administration/ha_property/ha_property_20261101.xlsx":
        "92e599d82a2f07a33aa5efdbb36b8b542f536e813a8f6ca78ed3b37d5e56eaf2",
    "landing/human_resources/hr_employment/hr_employment_20261101.csv":
        "c72abdce2f43ccdcaf5cdebaaf78b1e1f8ef9d06809b4ae07c11a259653f2ba8",
    "landing/party_organisation/po_party_members/po_party_members_20261101.csv":
        "7b59b363b3b4e635c2a7b767720334e7c8163f827bda3a838a6cf538b23b4b21",
    "landing/public_security/ps_hukou/ps_hukou_20261101.csv":
        "312d2359be8e9c172eb3dc178c27f758f90f30f5f58c97bc99737498f118e1bc",
    "landing/public_security/ps_standard_addresses/ps_standard_addresses_20261101.csv":
        "95894cb2f5f0620433c72566d43980b03f4259f950aa918686536c9f561feaf3",
    "landing/veterans_affairs/va_veterans/va_veterans_20261101.jsonl":
        "404262f48b8f17e311e1b66206e278acd2a197666bd0ff2ad3c5cfd400d39f95",
    "manifest.json":
        "07665166c136502e4b8fadba95f0438b0b27f75020f0cbf0ad7e57fc5d053068",
    "truth/areas.parquet":
        "08841a6553733873a90369f792da3145c222040052eb437e4ac5b534b950247e",
    "truth/households.parquet":
        "d0b2d3975cfcc0da31611f8c0f36a84cbd32d82d17605e1a9988111a6d2308f3",
    "truth/houses.parquet":
        "829302ddb4cd0bbe42a27c77cd270a37ab139b95964bc24040579e1a95f43290",
    "truth/noise.parquet":
        "4a6b7cbcff871b800301f883cd1df47c31aa99c4b70358c3d86a471989a4e4f9",
    "truth/persons.parquet":
        "3edee33a38695337ff7861423f871874806b52005d9cbde7b319b88ac65ca396",
    "truth/source_records.parquet":
        "41afca0e2f80ac040be69ea1c453f38b4d54f13b25eddff1f51256fe197449d8",
}


def test_default_city_is_byte_identical_to_the_pinned_one(tmp_path: Path) -> None:
    generate_city(tmp_path, persons=PERSONS, seed=SEED, progress=False)
    digest = content_digest(tmp_path)
    assert sorted(digest) == sorted(PINS), "the default city's files changed"
    changed = [name for name, sha in PINS.items() if digest[name] != sha]
    assert not changed, f"the default city changed in {changed}; if deliberate, re-pin ({PINS_HOW})"
