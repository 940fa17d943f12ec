"""Asset checks on the bronze assets, one per rule of the system's quality suite (quality/suites/<system>.yml).

Check names follow `<asset>__<rule>`: bronze_ps_hukou__id_number_shape. Structural rules have severity
ERROR, thresholds that dirty department data may miss have severity WARN. The checks validate the batches
the latest materialisation landed (its `batch_ids` metadata), or the newest batch when it landed nothing new.
"""


from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)

from connectors.config import SourceConfig
from pipelines.ingest import bronze_key
from pipelines.resources import ShequyunResource
from quality.runner import BronzeBatch, ExpectationOutcome, Rule, Suite, suite_for

_SEVERITY = {"error": AssetCheckSeverity.ERROR, "warn": AssetCheckSeverity.WARN}


def check_name(system: str, rule: str) -> str:
    return f"bronze_{system}__{rule}"


def _batch_ids_of_latest_materialisation(context: AssetCheckExecutionContext, system: str) -> tuple[str | None, list[str]]:
    event = context.instance.get_latest_materialization_event(bronze_key(system))
    if event is None or event.asset_materialization is None:
        return None, []
    metadata = event.asset_materialization.metadata
    status = metadata.get("status")
    batch_ids = metadata.get("batch_ids")
    return (
        str(status.value) if status is not None else None,
        list(batch_ids.value) if batch_ids is not None and isinstance(batch_ids.value, list) else [],
    )


def _rule_result(system: str, rule: Rule, outcomes: list[ExpectationOutcome], batch: BronzeBatch) -> AssetCheckResult:
    failing = [o for o in outcomes if not o.success]
    by_column = {
        (o.column or "<table>"): {
            "success": o.success,
            "unexpected_count": o.unexpected_count,
            "unexpected_percent": round(o.unexpected_percent, 3),
            **({"error": o.error} if o.error else {}),
        }
        for o in outcomes
    }
    metadata: dict[str, Any] = {
        "expectation": rule.expectation,
        "element_count": MetadataValue.int(max((o.element_count for o in outcomes), default=0)),
        "unexpected_count": MetadataValue.int(sum(o.unexpected_count for o in outcomes)),
        "failing_columns": MetadataValue.json([o.column or "<table>" for o in failing]),
        "by_column": MetadataValue.json(by_column),
        "batches": MetadataValue.json(batch.batch_ids),
        "rows_in_batches": MetadataValue.int(batch.total_rows),
    }
    if batch.sampled:
        metadata["sampled"] = f"every {batch.sample_every}th row by _row_number ({len(batch.frame):,} of {batch.total_rows:,})"
    if "mostly" in rule.kwargs:
        metadata["mostly"] = MetadataValue.float(float(rule.kwargs["mostly"]))
    return AssetCheckResult(
        asset_key=bronze_key(system),
        check_name=check_name(system, rule.name),
        passed=not failing,
        severity=_SEVERITY[rule.severity],
        metadata=metadata,
        description=rule.description or None,
    )


def build_quality_checks(cfg: SourceConfig, suite: Suite | None = None) -> AssetChecksDefinition:
    """One multi-asset check op per system; one check per suite rule."""
    suite = suite or suite_for(cfg.system, cfg.canonical_columns, cfg.required)
    key = bronze_key(cfg.system)
    specs = [
        AssetCheckSpec(
            name=check_name(cfg.system, rule.name),
            asset=key,
            description=f"[{rule.severity}] {rule.description or rule.expectation} ({', '.join(rule.columns) or 'table'})",
            metadata={"rule": rule.name, "expectation": rule.expectation, "severity": rule.severity},
        )
        for rule in suite.rules
    ]
    rules_by_check = {check_name(cfg.system, rule.name): rule for rule in suite.rules}

    @multi_asset_check(specs=specs, name=f"bronze_{cfg.system}__quality", can_subset=True,
                       description=f"{cfg.title}: bronze quality suite ({suite.suite_file.name if suite.suite_file else 'default'})")
    def _checks(context: AssetCheckExecutionContext, shequyun: ShequyunResource) -> Iterator[AssetCheckResult]:
        from quality.runner import bronze_exists, read_batches, run_suite

        paths = shequyun.paths()
        status, batch_ids = _batch_ids_of_latest_materialisation(context, cfg.system)
        if not bronze_exists(paths, cfg.system):
            context.log.warning(
                f"{cfg.system}: no bronze table yet (latest materialisation: {status or 'none'}); checks not evaluated"
            )
            return
        batch = read_batches(paths, cfg.system, batch_ids or None, max_rows=shequyun.quality_max_rows or None)
        if batch.sampled:
            context.log.info(f"{cfg.system}: validating every {batch.sample_every}th of {batch.total_rows:,} rows")
        selected = {k.name for k in context.selected_asset_check_keys}
        active = Suite(cfg.system, tuple(r for r in suite.rules if check_name(cfg.system, r.name) in selected),
                       suite.suite_file, suite.description)
        result = run_suite(cfg.system, batch.frame, suite=active)
        for name in sorted(selected, key=lambda n: list(rules_by_check).index(n)):
            rule = rules_by_check[name]
            yield _rule_result(cfg.system, rule, result.for_rule(rule.name), batch)

    return _checks


def build_all_quality_checks(configs: Mapping[str, SourceConfig] | Iterable[SourceConfig]) -> list[AssetChecksDefinition]:
    values = configs.values() if isinstance(configs, Mapping) else configs
    return [build_quality_checks(cfg) for cfg in sorted(values, key=lambda c: c.system)]
