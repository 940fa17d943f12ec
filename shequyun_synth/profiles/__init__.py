"""Generator profiles: which landscape of department systems a synthetic city is delivered in.

- `default`: the 16 systems of connectors/sources/*.yaml (shequyun_synth.generate.generate_city).
- `frozen2`: eight other systems, specified in shequyun_synth/profiles/frozen2/ and frozen before the platform had
  any configuration for them (see its README.md): the test of whether the platform generalises.

Both share the population model (shequyun_synth.population) and the truth layout of SCHEMA.md.

    generate_profile("frozen2", Path("data"), persons=20_000, seed=20261126)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PROFILES = ("default", "frozen2")


def generate_profile(profile: str, out: Path, persons: int, seed: int, *, load_db: bool = False,
                     progress: bool = True) -> dict[str, Any]:
    """Write the city of `profile` under `out`; returns its manifest."""
    if profile == "default":
        from shequyun_synth.generate import generate_city

        return generate_city(out, persons=persons, seed=seed, load_db=load_db, progress=progress)
    if profile == "frozen2":
        from shequyun_synth.profiles.frozen2.generate import generate_frozen2

        return generate_frozen2(out, persons=persons, seed=seed, load_db=load_db, progress=progress)
    raise ValueError(f"unknown generator profile {profile!r}: one of {', '.join(PROFILES)}")
