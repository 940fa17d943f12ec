"""What each configured system contributes downstream, and which systems feed nothing (dead ends).

A system lands into bronze and is staged from its YAML; from there it reaches the thematic database through its
resolution section (the persons its records name, the addresses that place them, its record date, the facts it adds
to dim_person_profile: the macros that union every system read those) and through models that read its staging
model by name (a ledger). A system with none of these lands but feeds nothing: `shequyun sources` and the run
summary name it, so that an onboarding that stopped half-way is seen, not discovered months later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from connectors.config import SourceConfig
from connectors.staging import system_spec
from shequyun.core.settings import DBT_PROJECT_DIR

# a staging model named in a model's SQL: ref('stg_...') or a macro argument such as person_facts('stg_...', ...)
_STAGING_NAME = re.compile(r"""['"](stg_[a-z0-9_]+__[a-z0-9_]+)['"]""")


@dataclass(frozen=True)
class Contribution:
    system: str
    model: str
    persons: list[str]
    addresses: list[str]
    recorded_on: str
    readers: list[str] = field(default_factory=list)    # models that read the staging model by name
    register: bool = False                               # a population register: person status, population type
    facts: str = ""                                      # the fact group it adds to dim_person_profile
    visits: bool = False                                 # a visit log (fct_visit)

    @property
    def dead_end(self) -> bool:
        return not (self.persons or self.addresses or self.readers or self.facts)

    def describe(self) -> str:
        parts = [f"staging {self.model}"]
        if self.persons:
            parts.append("persons: " + ", ".join(self.persons))
        if self.addresses:
            parts.append("addresses: " + ", ".join(self.addresses))
        if self.register:
            parts.append("population register (status, population type)")
        if self.recorded_on:
            parts.append(f"dated by {self.recorded_on}")
        if self.facts:
            parts.append(f"profile facts: {self.facts}")
        if self.visits:
            parts.append("visit log (fct_visit)")
        if self.readers:
            parts.append("read by: " + ", ".join(self.readers))
        if self.dead_end:
            parts.append("DEAD END: lands in bronze and staging but feeds nothing downstream (no resolution.persons or "
                         "resolution.addresses, no model reads it)")
        return "; ".join(parts)


def staging_readers(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, list[str]]:
    """Staging model -> the models (outside staging) whose SQL refers to it by name."""
    readers: dict[str, set[str]] = {}
    for path in (project_dir / "models").rglob("*.sql"):
        if "staging" in path.relative_to(project_dir / "models").parts[:1]:
            continue
        for model in _STAGING_NAME.findall(path.read_text(encoding="utf-8")):
            readers.setdefault(model, set()).add(path.stem)
    return {model: sorted(names) for model, names in readers.items()}


def contributions(configs: list[SourceConfig], project_dir: Path = DBT_PROJECT_DIR) -> list[Contribution]:
    readers = staging_readers(project_dir)
    found = []
    for cfg in sorted(configs, key=lambda c: (c.department, c.system)):
        spec = system_spec(cfg)
        resolution = spec["resolution"]
        found.append(Contribution(
            system=cfg.system, model=spec["model"],
            persons=[p["role"] for p in resolution["persons"]],
            addresses=[f"{a['column']} ({a['role']})" for a in resolution["addresses"]],
            recorded_on=resolution["recorded_on"],
            readers=readers.get(spec["model"], []),
            register=bool(resolution["register"]),
            facts=resolution["facts"].get("group", ""),
            visits=bool(resolution["visits"]),
        ))
    return found


def dead_ends(configs: list[SourceConfig], project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """The systems that land but feed nothing downstream."""
    return [c.system for c in contributions(configs, project_dir) if c.dead_end]
