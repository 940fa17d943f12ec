"""Run a bronze quality suite (quality/suites/<system>.yml) with Great Expectations 1.x.

Plain Python, no Dagster: `pipelines/checks.py` turns the results into asset checks.

A suite is a list of rules. Each rule names one Great Expectations expectation, the columns it
applies to, a severity (``error`` for structural rules, ``warn`` for thresholds that dirty data may
miss) and the expectation's keyword arguments::

    system: ps_hukou
    rules:
      - rule: id_number_shape
        severity: warn
        expect: expect_column_values_to_match_regex_list
        columns: [id_number]
        kwargs: {regex_set: id_number, mostly: 0.95}

``columns: "*"`` means every canonical column of the source config. ``regex_set: <name>`` refers to
a named list in quality/patterns.yml. A multi-column expectation (``column_list``) takes the columns
as one list. Blank strings count as missing values (bronze holds every value as a string).

Great Expectations runs on the pandas data source of an ephemeral context: the SQL data source on
DuckDB fails (DESIGN.md). Analytics are switched off before the import.
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "False"

import functools
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

SUITES_DIR = Path(__file__).resolve().parent / "suites"
PATTERNS_FILE = Path(__file__).resolve().parent / "patterns.yml"

#: Lineage columns every bronze table carries besides the canonical source columns.
LINEAGE_COLUMNS: tuple[str, ...] = (
    "_system",
    "_source",
    "_row_number",
    "_batch_id",
    "_loaded_at",
    "_row_hash",
    "_source_checksum",
)

Severity = Literal["error", "warn"]
SEVERITIES: tuple[str, ...] = ("error", "warn")

#: Expectations whose configuration takes a list of columns rather than one column.
_MULTI_COLUMN_EXPECTATIONS = {
    "expect_compound_columns_to_be_unique",
    "expect_select_column_values_to_be_unique_within_record",
    "expect_multicolumn_sum_to_equal",
}
#: Expectations on the whole table (no column).
_TABLE_EXPECTATIONS = {
    "expect_table_row_count_to_be_between",
    "expect_table_row_count_to_equal",
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_table_column_count_to_be_between",
    "expect_table_column_count_to_equal",
}
_RULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class QualitySuiteError(ValueError):
    """A suite file is wrong: unknown expectation or column, bad severity, malformed rule."""

    def __init__(self, suite_file: Path | str, message: str) -> None:
        self.suite_file = Path(suite_file)
        super().__init__(f"{self.suite_file}: {message}")


@dataclass(frozen=True)
class Rule:
    """One rule of a suite: an expectation applied to one or more columns."""

    name: str
    expectation: str
    severity: Severity
    columns: tuple[str, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def multi_column(self) -> bool:
        return self.expectation in _MULTI_COLUMN_EXPECTATIONS

    @property
    def table_level(self) -> bool:
        return self.expectation in _TABLE_EXPECTATIONS


@dataclass(frozen=True)
class Suite:
    system: str
    rules: tuple[Rule, ...]
    suite_file: Path | None = None
    description: str = ""

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"suite {self.system} has no rule {name!r}")


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one column (or column list, or the table)."""

    name: str  # the rule name
    column: str | None  # a column, "a,b" for a column list, None for a table-level rule
    success: bool
    unexpected_count: int
    unexpected_percent: float  # of the non-missing values, 0-100
    element_count: int
    expectation: str = ""
    severity: Severity = "error"
    error: str | None = None  # set when the expectation could not be evaluated (e.g. column missing)


@dataclass(frozen=True)
class SuiteResult:
    system: str
    success: bool
    results: list[ExpectationOutcome]

    def failed(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    def for_rule(self, name: str) -> list[ExpectationOutcome]:
        return [r for r in self.results if r.name == name]


# --------------------------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=4)
def load_patterns(patterns_file: Path = PATTERNS_FILE) -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(Path(patterns_file).read_text(encoding="utf-8")) or {}
    patterns = raw.get("patterns") or {}
    if not isinstance(patterns, dict):
        raise QualitySuiteError(patterns_file, "'patterns' must be a mapping of name -> list of regexes")
    out: dict[str, tuple[str, ...]] = {}
    for name, regexes in patterns.items():
        if not isinstance(regexes, list) or not regexes:
            raise QualitySuiteError(patterns_file, f"pattern set {name!r} must be a non-empty list")
        for regex in regexes:
            try:
                re.compile(regex)
            except re.error as exc:
                raise QualitySuiteError(patterns_file, f"pattern set {name!r}: bad regex {regex!r}: {exc}") from exc
        out[str(name)] = tuple(regexes)
    return out


def suite_path(system: str, suites_dir: Path | None = None) -> Path:
    return Path(suites_dir or SUITES_DIR) / f"{system}.yml"


def available_suites(suites_dir: Path | None = None) -> list[str]:
    """Systems that have a suite file."""
    return sorted(p.stem for p in Path(suites_dir or SUITES_DIR).glob("*.yml") if not p.name.startswith("_"))


def _source_columns(system: str) -> list[str]:
    from connectors.config import load_source_configs

    configs = load_source_configs()
    if system not in configs:
        raise KeyError(f"no source config for system {system!r}")
    return list(configs[system].canonical_columns)


def load_suite(
    system: str,
    *,
    suites_dir: Path | None = None,
    source_columns: Iterable[str] | None = None,
    patterns_file: Path = PATTERNS_FILE,
) -> Suite:
    """Read and validate quality/suites/<system>.yml.

    Every column a rule names must be a canonical column of the system's source config
    (connectors/sources/<system>.yaml) or a lineage column; every expectation must exist in
    Great Expectations. Otherwise a QualitySuiteError names the suite file and the culprit.
    ``source_columns`` overrides the columns read from the source config (tests).
    """
    path = suite_path(system, suites_dir)
    if not path.exists():
        raise FileNotFoundError(f"no quality suite for {system!r}: {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise QualitySuiteError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise QualitySuiteError(path, "a suite must be a mapping with 'system' and 'rules'")
    if raw.get("system", system) != system:
        raise QualitySuiteError(path, f"declares system {raw.get('system')!r}, expected {system!r}")
    canonical = list(source_columns) if source_columns is not None else _source_columns(system)
    known_columns = set(canonical) | set(LINEAGE_COLUMNS)
    patterns = load_patterns(patterns_file)

    rules: list[Rule] = []
    seen: set[str] = set()
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise QualitySuiteError(path, "'rules' must be a non-empty list")
    for i, item in enumerate(raw_rules, start=1):
        where = f"rule #{i}"
        if not isinstance(item, dict):
            raise QualitySuiteError(path, f"{where} must be a mapping")
        name = item.get("rule")
        if not isinstance(name, str) or not _RULE_NAME.match(name):
            raise QualitySuiteError(path, f"{where}: 'rule' must be a snake_case name, got {name!r}")
        where = f"rule {name!r}"
        if name in seen:
            raise QualitySuiteError(path, f"{where} is defined twice")
        seen.add(name)
        severity = str(item.get("severity", "error")).lower()
        if severity not in SEVERITIES:
            raise QualitySuiteError(path, f"{where}: severity must be one of {SEVERITIES}, got {severity!r}")
        expectation = item.get("expect")
        if not isinstance(expectation, str):
            raise QualitySuiteError(path, f"{where}: 'expect' (the expectation name) is missing")
        try:
            expectation_class(expectation)
        except LookupError as exc:
            raise QualitySuiteError(path, f"{where}: {exc}") from exc
        columns = item.get("columns", [])
        if columns == "*":
            columns = list(canonical)
        if isinstance(columns, str):
            columns = [columns]
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise QualitySuiteError(path, f"{where}: 'columns' must be a list of column names or '*'")
        unknown = [c for c in columns if c not in known_columns]
        if unknown:
            raise QualitySuiteError(
                path,
                f"{where}: unknown column(s) {unknown}; not in connectors/sources/{system}.yaml "
                f"(canonical: {sorted(canonical)}) nor lineage columns",
            )
        kwargs = dict(item.get("kwargs") or {})
        if "regex_set" in kwargs:
            set_name = kwargs.pop("regex_set")
            if set_name not in patterns:
                raise QualitySuiteError(
                    path, f"{where}: unknown regex_set {set_name!r} (known: {sorted(patterns)} in {patterns_file})"
                )
            kwargs["regex_list"] = list(patterns[set_name])
            kwargs.setdefault("match_on", "any")
        for key in ("column", "column_list"):
            if key in kwargs:
                raise QualitySuiteError(path, f"{where}: give columns under 'columns', not kwargs.{key}")
        rule = Rule(
            name=name,
            expectation=expectation,
            severity=severity,  # type: ignore[arg-type]
            columns=tuple(columns),
            kwargs=kwargs,
            description=str(item.get("description", "")),
        )
        if not rule.table_level and not rule.columns:
            raise QualitySuiteError(path, f"{where}: {expectation} needs 'columns'")
        try:  # build once so that bad kwargs are reported at load time, naming the file
            _build_expectations(rule)
        except Exception as exc:  # GX raises pydantic and its own errors
            raise QualitySuiteError(path, f"{where}: invalid arguments for {expectation}: {exc}") from exc
        rules.append(rule)
    return Suite(system=system, rules=tuple(rules), suite_file=path, description=str(raw.get("description", "")))


# ------------------------------------------------------------------------------------------ expectations


def _gx() -> Any:
    import great_expectations as gx

    return gx


def expectation_class(name: str) -> type:
    """The Great Expectations class for a snake_case expectation name (expect_column_values_to_not_be_null)."""
    if not name.startswith("expect_"):
        raise LookupError(f"unknown expectation {name!r}: names start with 'expect_'")
    class_name = "".join(part.capitalize() for part in name.split("_"))
    cls = getattr(_gx().expectations, class_name, None)
    if cls is None:
        raise LookupError(f"unknown expectation {name!r} (no great_expectations.expectations.{class_name})")
    return cls


def _build_expectations(rule: Rule) -> list[tuple[str | None, Any]]:
    cls = expectation_class(rule.expectation)
    if rule.table_level:
        targets: list[tuple[str | None, dict[str, Any]]] = [(None, {})]
    elif rule.multi_column:
        targets = [(",".join(rule.columns), {"column_list": list(rule.columns)})]
    else:
        targets = [(c, {"column": c}) for c in rule.columns]
    built = []
    for label, target in targets:
        meta = {"rule": rule.name, "column": label}
        built.append((label, cls(**target, **dict(rule.kwargs), meta=meta)))
    return built


@functools.lru_cache(maxsize=1)
def _context() -> Any:
    """One ephemeral, in-memory context per process: no files, no docs site, no progress bars, no analytics."""
    gx = _gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _blank_to_missing(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            blank = series.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
            if blank.any():
                series = series.astype(object)
                series[blank] = None
                out[column] = series
    return out


def run_suite(system: str, df: pd.DataFrame, *, suite: Suite | None = None) -> SuiteResult:
    """Validate ``df`` (a bronze batch) against the system's suite; return plain results.

    Columns a rule names that are missing from ``df`` give a failed outcome with ``error`` set
    (the structural rule ``columns_present`` reports them too).
    """
    suite = suite or load_suite(system)
    gx = _gx()
    data = _blank_to_missing(df)
    context = _context()
    name = f"{system}_{uuid.uuid4().hex[:12]}"
    source = context.data_sources.add_pandas(name)
    asset = source.add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name).get_batch(batch_parameters={"dataframe": data})

    gx_suite = gx.ExpectationSuite(name=name)
    planned: list[tuple[Rule, str | None]] = []
    skipped: list[ExpectationOutcome] = []
    present = set(data.columns)
    for rule in suite.rules:
        for label, expectation in _build_expectations(rule):
            missing = [] if rule.table_level or rule.expectation == "expect_column_to_exist" else [
                c for c in (label or "").split(",") if c and c not in present
            ]
            if missing:
                skipped.append(
                    ExpectationOutcome(
                        name=rule.name, column=label, success=False, unexpected_count=0, unexpected_percent=0.0,
                        element_count=len(data), expectation=rule.expectation, severity=rule.severity,
                        error=f"column(s) missing from the batch: {missing}",
                    )
                )
                continue
            gx_suite.add_expectation(expectation)
            planned.append((rule, label))
    try:
        validation = batch.validate(gx_suite, result_format="BASIC") if planned else None
    finally:
        context.data_sources.delete(name)

    by_key: dict[tuple[str, str | None], Any] = {}
    for res in validation.results if validation is not None else []:
        meta = res.expectation_config.meta or {}
        by_key[(meta.get("rule"), meta.get("column"))] = res
    outcomes: list[ExpectationOutcome] = []
    for rule, label in planned:
        res = by_key[(rule.name, label)]
        detail = dict(res.result or {})
        error = None
        info = res.exception_info or {}
        if info.get("raised_exception"):
            error = str(info.get("exception_message") or "expectation raised")
        elif rule.expectation == "expect_column_to_exist" and not res.success:
            error = f"column {label!r} missing from the batch"
        outcomes.append(
            ExpectationOutcome(
                name=rule.name,
                column=label,
                success=bool(res.success),
                unexpected_count=int(detail.get("unexpected_count") or 0),
                unexpected_percent=float(detail.get("unexpected_percent") or 0.0),
                element_count=int(detail.get("element_count", len(data)) or 0),
                expectation=rule.expectation,
                severity=rule.severity,
                error=error,
            )
        )
    outcomes.extend(skipped)
    order = {rule.name: i for i, rule in enumerate(suite.rules)}
    outcomes.sort(key=lambda o: order[o.name])
    return SuiteResult(system=system, success=all(o.success for o in outcomes), results=outcomes)


# ---------------------------------------------------------------------------------------- bronze reads


def _bronze_path(paths: Any, system: str) -> Path:
    return Path(paths.bronze) / system


def bronze_exists(paths: Any, system: str) -> bool:
    return (_bronze_path(paths, system) / "_delta_log").is_dir()


@dataclass(frozen=True)
class BronzeBatch:
    """Rows read from bronze for validation; ``sample_every`` > 1 when only every n-th row was read."""

    frame: pd.DataFrame
    batch_ids: list[str]
    total_rows: int
    sample_every: int = 1

    @property
    def sampled(self) -> bool:
        return self.sample_every > 1


def read_batches(
    paths: Any, system: str, batch_ids: Sequence[str] | None = None, *, max_rows: int | None = None
) -> BronzeBatch:
    """The rows of ``batch_ids`` of bronze/<system> (default: the newest batch, latest ``_loaded_at``).

    With ``max_rows``, a batch larger than that is read as a systematic sample (every n-th source row by
    ``_row_number``), so that validating a city-size extract stays within memory; the result says so.
    Raises FileNotFoundError when the system has no bronze table yet.
    """
    import polars as pl

    path = _bronze_path(paths, system)
    if not bronze_exists(paths, system):
        raise FileNotFoundError(f"no bronze table for {system!r} at {path}")
    lazy = pl.scan_delta(str(path))
    if batch_ids:
        chosen = [str(b) for b in batch_ids]
    else:
        newest = (
            lazy.select(pl.col("_batch_id").get(pl.col("_loaded_at").arg_max())).collect()
            if "_loaded_at" in lazy.collect_schema().names()
            else pl.DataFrame()
        )
        if newest.height == 0 or newest.item() is None:
            return BronzeBatch(lazy.head(0).collect().to_pandas(), [], 0)
        chosen = [str(newest.item())]
    rows = lazy.filter(pl.col("_batch_id").is_in(chosen))
    total = int(rows.select(pl.len()).collect().item())
    every = 1
    if max_rows and total > max_rows:
        every = -(-total // max_rows)
        rows = rows.filter(pl.col("_row_number").cast(pl.Int64) % every == 0)
    return BronzeBatch(rows.collect().to_pandas(), chosen, total, every)


def latest_batch(paths: Any, system: str, batch_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of the newest batch of bronze/<system> (the one with the latest ``_loaded_at``).

    With ``batch_ids``, the rows of those batches instead (what one run landed). Source values are
    strings, as in bronze. Raises FileNotFoundError when the system has no bronze table yet.
    """
    return read_batches(paths, system, batch_ids).frame


def default_suite(system: str, canonical: Sequence[str], required: Sequence[str]) -> Suite:
    """The structural rules every system gets when it has no suite file (a new source YAML)."""
    rules = [
        Rule("columns_present", "expect_column_to_exist", "error", tuple(canonical),
             description="源配置中的全部标准列都已落地"),
        Rule("lineage_not_null", "expect_column_values_to_not_be_null", "error",
             ("_system", "_source", "_row_number", "_batch_id", "_loaded_at", "_row_hash"), description="血缘列完整"),
    ]
    if required:
        rules.append(Rule("required_not_null", "expect_column_values_to_not_be_null", "error", tuple(required),
                          description="必填字段不为空"))
    return Suite(system=system, rules=tuple(rules), suite_file=None, description="default structural suite")


def suite_for(system: str, canonical: Sequence[str], required: Sequence[str] = (), *,
              suites_dir: Path | None = None) -> Suite:
    """quality/suites/<system>.yml if it exists, else the default structural suite."""
    if suite_path(system, suites_dir).exists():
        return load_suite(system, suites_dir=suites_dir, source_columns=canonical)
    return default_suite(system, canonical, required)
