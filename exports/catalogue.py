"""The ledger catalogue: what to export and how, read from the ledgers' dbt YAML (contract 3 of the project).

A ledger is a dbt model `rpt_ledger__<name>` under `dbt_project/models/reports/ledgers/**`; its YAML carries
`meta.ledger` (title, filed_by, frequency, scope) and per column `meta.header` (the Chinese column title), `meta.pii`
(id_number | phone | account: masked in exports) and `meta.export` (false: kept in the table, not in files).
dbt accepts `meta` at the top level or under `config:`; both are read here.

The catalogue is validated when it is read, so a mistake in a ledger's YAML stops an export with the file, model
and column to fix instead of producing a package with a blank header or an unmasked number.

A ledger that is one department's roster is built only where that department's system is configured: its SQL starts
with `{{ config(enabled=model_configured('stg_<department>__<entity>s')) }}` (`Ledger.requires`). `built_ledgers`
splits a selection into the ledgers this deployment builds and the ones it skips, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shequyun.core.settings import DBT_PROJECT_DIR
from shequyun.privacy.masking import PII_KINDS

# libyaml's safe loader when PyYAML has it: ~10x faster on the ~50 ledger files read by every export
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LEDGER_PREFIX = "rpt_ledger__"
LEDGERS_FOLDER = Path("models") / "reports" / "ledgers"
FREQUENCIES = ("monthly", "weekly", "quarterly", "annual")
SCOPES = ("committee", "rollup")
AREA_COLUMNS = ("district_code", "street_code", "committee_code")
# a department's roster: `{{ config(enabled=model_configured('<staging model>')) }}` in the ledger's SQL
_REQUIRES = re.compile(r"config\(\s*enabled\s*=\s*model_configured\(\s*'([A-Za-z0-9_]+)'\s*\)\s*\)")


class CatalogueError(ValueError):
    """A ledger's YAML is missing something an export needs; the message names the file, model and column."""


@dataclass(frozen=True)
class LedgerColumn:
    name: str
    header: str
    pii: str | None = None
    export: bool = True
    data_type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Ledger:
    model: str
    title: str
    filed_by: str | None
    frequency: str
    scope: str
    columns: list[LedgerColumn]
    description: str | None = None
    yaml_path: Path | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    # the staging model the ledger is built from, when it is built only where that model is configured
    requires: str | None = None

    @property
    def name(self) -> str:
        """The ledger's short name: the model without `rpt_ledger__`."""
        return self.model.removeprefix(LEDGER_PREFIX)

    @property
    def relation(self) -> str:
        return f"reports.{self.model}"

    @property
    def exported_columns(self) -> list[LedgerColumn]:
        return [c for c in self.columns if c.export]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def row_kind(self) -> str:
        """person | house | other: what one row is about (person_key / house_key column), for scoping checks."""
        names = set(self.column_names)
        if "person_key" in names:
            return "person"
        if "house_key" in names:
            return "house"
        return "other"


def ledgers_folder(project_dir: Path | None = None) -> Path:
    return (project_dir or DBT_PROJECT_DIR) / LEDGERS_FOLDER


def _meta(node: Mapping[str, Any]) -> dict[str, Any]:
    """`meta` of a model or column: top level and `config.meta` merged (config wins, as in dbt)."""
    merged: dict[str, Any] = {}
    top = node.get("meta") or {}
    config = node.get("config") or {}
    nested = config.get("meta") or {} if isinstance(config, Mapping) else {}
    for part in (top, nested):
        if not isinstance(part, Mapping):
            raise CatalogueError(f"meta must be a mapping, got {part!r}")
        merged.update(part)
    return merged


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _column(path: Path, model: str, raw: Any) -> LedgerColumn:
    if not isinstance(raw, Mapping) or not raw.get("name"):
        raise CatalogueError(f"{path}: model {model}: a column without a name: {raw!r}")
    name = str(raw["name"])
    where = f"{path}: model {model}, column {name}"
    try:
        meta = _meta(raw)
    except CatalogueError as exc:
        raise CatalogueError(f"{where}: {exc}") from None
    header = _text(meta.get("header"))
    if header is None:
        raise CatalogueError(f"{where}: no meta.header (the Chinese column title of the exported files)")
    pii = _text(meta.get("pii"))
    if pii is not None and pii not in PII_KINDS:
        raise CatalogueError(f"{where}: meta.pii {pii!r} is not one of {', '.join(PII_KINDS)}")
    export = meta.get("export", True)
    if not isinstance(export, bool):
        raise CatalogueError(f"{where}: meta.export must be true or false, got {export!r}")
    return LedgerColumn(name=name, header=header, pii=pii, export=export,
                        data_type=_text(raw.get("data_type")), description=_text(raw.get("description")))


def _ledger(path: Path, raw: Mapping[str, Any]) -> Ledger:
    model = str(raw["name"])
    try:
        meta = _meta(raw)
    except CatalogueError as exc:
        raise CatalogueError(f"{path}: model {model}: {exc}") from None
    spec = meta.get("ledger")
    if not isinstance(spec, Mapping):
        raise CatalogueError(f"{path}: model {model}: no meta.ledger (title, filed_by, frequency, scope)")
    missing = [key for key in ("title", "frequency", "scope") if _text(spec.get(key)) is None]
    if missing:
        raise CatalogueError(f"{path}: model {model}: meta.ledger has no {', '.join(missing)}")
    frequency = str(spec["frequency"]).strip()
    if frequency not in FREQUENCIES:
        raise CatalogueError(f"{path}: model {model}: meta.ledger.frequency {frequency!r} is not one of "
                             f"{', '.join(FREQUENCIES)}")
    scope = str(spec["scope"]).strip()
    if scope not in SCOPES:
        raise CatalogueError(f"{path}: model {model}: meta.ledger.scope {scope!r} is not one of {', '.join(SCOPES)}")
    raw_columns = raw.get("columns") or []
    if not isinstance(raw_columns, list) or not raw_columns:
        raise CatalogueError(f"{path}: model {model}: no columns (a ledger lists every column with meta.header)")
    columns = [_column(path, model, c) for c in raw_columns]
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: model {model}: column(s) listed twice: {', '.join(duplicates)}")
    required = list(AREA_COLUMNS) + (["level"] if scope == "rollup" else [])
    absent = [c for c in required if c not in names]
    if absent:
        raise CatalogueError(f"{path}: model {model}: scope {scope} needs column(s) {', '.join(absent)}")
    order_by = spec.get("order_by")
    if order_by is not None:
        if not isinstance(order_by, list) or not all(isinstance(c, str) for c in order_by):
            raise CatalogueError(f"{path}: model {model}: meta.ledger.order_by must be a list of column names")
        unknown = [c for c in order_by if c not in names]
        if unknown:
            raise CatalogueError(f"{path}: model {model}: meta.ledger.order_by names unknown column(s) "
                                 f"{', '.join(unknown)}")
    if not any(c.export for c in columns):
        raise CatalogueError(f"{path}: model {model}: every column has meta.export false; nothing to export")
    return Ledger(model=model, title=str(spec["title"]).strip(), filed_by=_text(spec.get("filed_by")),
                  frequency=frequency, scope=scope, columns=columns, description=_text(raw.get("description")),
                  yaml_path=path, meta=dict(spec), requires=_requires(path.with_name(f"{model}.sql")))


def _requires(sql: Path) -> str | None:
    """The staging model named by the ledger SQL's `config(enabled=model_configured('...'))`, if it has one."""
    if not sql.is_file():
        return None
    found = _REQUIRES.search(sql.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def parse_ledger_yaml(path: Path) -> list[Ledger]:
    """The ledgers of one dbt YAML file (models named rpt_ledger__*; other models are not ledgers)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(document, Mapping):
        raise CatalogueError(f"{path}: expected a mapping with `models:`, got {type(document).__name__}")
    models = document.get("models") or []
    if not isinstance(models, list):
        raise CatalogueError(f"{path}: `models:` must be a list")
    ledgers = []
    for raw in models:
        if not isinstance(raw, Mapping) or not raw.get("name"):
            raise CatalogueError(f"{path}: a model without a name: {raw!r}")
        if str(raw["name"]).startswith(LEDGER_PREFIX):
            ledgers.append(_ledger(path, raw))
    return ledgers


def load_ledgers(project_dir: Path | None = None) -> list[Ledger]:
    """Every ledger of the dbt project (default: the project's dbt_project/), sorted by model name."""
    folder = ledgers_folder(project_dir)
    seen: dict[str, Path] = {}
    titles: dict[str, Ledger] = {}
    ledgers: list[Ledger] = []
    for path in sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")]):
        for ledger in parse_ledger_yaml(path):
            if ledger.model in seen:
                raise CatalogueError(f"{path}: model {ledger.model} is already defined in {seen[ledger.model]}")
            if ledger.title in titles:   # the title names the exported files, so it must be unique
                other = titles[ledger.title]
                raise CatalogueError(f"{path}: model {ledger.model}: title {ledger.title!r} is already the title of "
                                     f"{other.model} ({other.yaml_path})")
            seen[ledger.model] = path
            titles[ledger.title] = ledger
            ledgers.append(ledger)
    return sorted(ledgers, key=lambda item: item.model)


def select_ledgers(ledgers: Iterable[Ledger], names: Iterable[str] | None = None,
                   frequency: str | None = None) -> list[Ledger]:
    """The ledgers named (model or short name) and/or of one frequency; an unknown name is an error."""
    chosen = list(ledgers)
    if frequency is not None:
        if frequency not in FREQUENCIES:
            raise CatalogueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")
        chosen = [led for led in chosen if led.frequency == frequency]
    if names:
        wanted = list(dict.fromkeys(names))
        by_name = {**{led.name: led for led in chosen}, **{led.model: led for led in chosen}}
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            known = ", ".join(sorted(led.name for led in chosen)) or "none"
            raise CatalogueError(f"unknown ledger(s) {', '.join(unknown)}"
                                 f"{' of frequency ' + frequency if frequency else ''}; known: {known}")
        models = dict.fromkeys(by_name[n].model for n in wanted)
        chosen = [led for led in chosen if led.model in models]
    return chosen


def configured_staging_models(sources_dir: Path | None = None) -> set[str]:
    """The staging models of the deployment's configured systems (connector YAMLs in `sources_dir`, default the
    deployment's): what the dbt macro model_configured() tests."""
    from connectors.config import load_source_configs
    from connectors.staging import staging_spec

    return {staging_spec(cfg)["model"] for cfg in load_source_configs(sources_dir).values()}


def built_ledgers(ledgers: Iterable[Ledger], models: set[str] | None = None) -> tuple[list[Ledger], dict[str, str]]:
    """The ledgers the deployment builds, and the skipped ones (short name -> why): a department's roster whose
    staging model is not among `models` (default: configured_staging_models()) is disabled in dbt, so it has no table
    to export."""
    ledgers = list(ledgers)
    if models is None and any(led.requires for led in ledgers):
        models = configured_staging_models()
    built, skipped = [], {}
    for ledger in ledgers:
        if ledger.requires and ledger.requires not in (models or set()):
            skipped[ledger.name] = f"not built: its department's staging model {ledger.requires} is not configured"
        else:
            built.append(ledger)
    return built, skipped
