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
        "b28e31eb957bdaac94cfc7669e3d628865ab03e37cf37795877e10f67c6308e7",
    "db/ps_population.parquet":
        "17dd7941910392c69ac83fc8acb53457b91945c77cebea041dfe8a7dfdb3a85a",
    "landing/civil_affairs/ca_dibao/ca_dibao_20261101.xlsx":
        "0c07c92ca71a0d87253ca5693fc273eec7bb4e538cc997db69482e28673723a6",
    "landing/civil_affairs/ca_divisions/ca_divisions_20261101.csv":
        "a72030035ebad781429fe6f5da372cbf1b5c3f08a324fd632dfdb3c7cfb157cc",
    "landing/civil_affairs/ca_low_income/ca_low_income_20261101.csv":
        "f573a738b101b3c2e3c0d1a4f257ba489a2400ee4b8218796d63938baf966d7d",
    "landing/civil_affairs/ca_tekun/ca_tekun_20261101.jsonl":
        "08eb690f340b61348602c2b50c49caa1eeea0edf20e6ca4c62df15a7d8fd08cc",
    "landing/community_committees/cc_visits/cc_visits_20261101.jsonl":
        "704e43fb21f1da86030e811574992adb3236493f307223a2e06e1d23554ddf53",
    "landing/disabled_persons_federation/dpf_disability/dpf_disability_20261101.xlsx":
        "99ac874c08c1d9ff98dafd0265249f50420b12b44479bca93d12b8ed8eb3dfad",
    "landing/education/ed_graduates/ed_graduates_20261101.parquet":
        "e3e2bcbc313403fe58349daf14cf88ab899ba0ffeb0716b326c628401257cdd0",
    "landing/health_commission/hc_family_doctor/hc_family_doctor_20261101.parquet":
        "606228cf8102fcf6d222e271bd2fed3ee186b5d8b9aa84cb8987e29fe5eba784",
    "landing/housing_administration/ha_property/ha_property_20261101.xlsx":
        "c52f177a3c77751eb8b7d459c8cbb3b42d3f6261f0f860b21d6e814a9dccb262",
    "landing/human_resources/hr_employment/hr_employment_20261101.csv":
        "7fa58c947d4f86ce4271338f995c79682b892bc433b51992850ddfeff66fe0ad",
    "landing/party_organisation/po_party_members/po_party_members_20261101.csv":
        "3645b09291dc1b09a36125731de362ccf4db1452508a5ed94715af3334344063",
    "landing/public_security/ps_hukou/ps_hukou_20261101.csv":
        "48f2f47d57047b0225aa015fadbc5416c3cd35e50773fca303a35721acf20c81",
    "landing/public_security/ps_standard_addresses/ps_standard_addresses_20261101.csv":
        "95894cb2f5f0620433c72566d43980b03f4259f950aa918686536c9f561feaf3",
    "landing/veterans_affairs/va_veterans/va_veterans_20261101.jsonl":
        "c61df69db79f82cc432efe177054ad4549aa56f53597decd705cbf9de1c60a86",
    "manifest.json":
        "471b0d4433ed49df82b4dc2ff7991b19ea22cbfcc2a417022e87ae8dc7a122a7",
    "truth/areas.parquet":
        "08841a6553733873a90369f792da3145c222040052eb437e4ac5b534b950247e",
    "truth/households.parquet":
        "d0b2d3975cfcc0da31611f8c0f36a84cbd32d82d17605e1a9988111a6d2308f3",
    "truth/houses.parquet":
        "829302ddb4cd0bbe42a27c77cd270a37ab139b95964bc24040579e1a95f43290",
    "truth/noise.parquet":
        "95e788a62e140833ecbc63d7bb719b9eb9e249ed354e8ea78d313bf4b1e2c39b",
    "truth/persons.parquet":
        "922b87f2973122f9a8057f3ccdc7c2f8dc02db12c6eedee7e3dfb0f16a40c2e0",
    "truth/source_records.parquet":
        "e5e5e4c9a38a203964f0a4a7d7cd62a78e0069e78e74d99fe81f343ae191b888",
}


def test_default_city_is_byte_identical_to_the_pinned_one(tmp_path: Path) -> None:
    generate_city(tmp_path, persons=PERSONS, seed=SEED, progress=False)
    digest = content_digest(tmp_path)
    assert sorted(digest) == sorted(PINS), "the default city's files changed"
    changed = [name for name, sha in PINS.items() if digest[name] != sha]
    assert not changed, f"the default city changed in {changed}; if deliberate, re-pin ({PINS_HOW})"
