"""Bronze assets: one per source system (connectors/sources/<system>.yaml), built by a factory.

Each asset lands the system's new files / rows into the Delta table lake/bronze/<system> through
`connectors.landing.load_system` and reports what it read, landed and quarantined.

A system whose sources cannot be read (a corrupt file) degrades instead of stopping the city
($SHEQUYUN_ON_SYSTEM_FAILURE=degrade, the default): when it has landed before, its asset is materialised with
status "failed" and its check `sources_readable` fails (severity ERROR), and the build goes on with its last good
bronze data (build_info marks it stale, manifests list it). With `stop`, or for a system that never landed, the step
fails and nothing downstream runs.
"""


from collections.abc import Iterable, Mapping
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from connectors.config import SourceConfig
from connectors.errors import SourceError, SourceUnavailable
from pipelines.resources import ShequyunResource
from shequyun.core.settings import PROJECT_ROOT, on_system_failure

READABLE_RULE = "sources_readable"


def readable_check(system: str) -> str:
    """The name of a bronze asset's check that its sources could be read (pipelines/checks.py naming)."""
    return f"bronze_{system}__{READABLE_RULE}"

BRONZE_PREFIX = "bronze"
RESOURCE_KEY = "shequyun"


def bronze_key(system: str) -> AssetKey:
    return AssetKey([BRONZE_PREFIX, system])


def _relative(path: Any) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def load_metadata(result: Any) -> dict[str, Any]:
    """Materialisation metadata from a connectors.landing.SystemLoadResult."""
    receipts = list(getattr(result, "receipts", []) or [])
    landed = [r for r in receipts if getattr(r, "status", "") == "landed"]
    return {
        "status": "landed" if landed else "no_new_data",
        "rows_read": MetadataValue.int(int(result.rows_read)),
        "rows_landed": MetadataValue.int(int(result.rows_landed)),
        "rows_quarantined": MetadataValue.int(int(result.rows_quarantined)),
        "rows_redelivered": MetadataValue.int(int(getattr(result, "rows_redelivered", 0))),
        "files_skipped": MetadataValue.int(int(result.files_skipped)),
        "seconds": MetadataValue.float(round(float(result.seconds), 3)),
        "warnings": MetadataValue.json(list(result.warnings)),
        "sources": MetadataValue.json(sorted({r.source for r in landed})),
        "batch_ids": MetadataValue.json([r.batch_id for r in landed]),
        "failures": MetadataValue.int(len(result.failures)),
    }


def _readable(system: str, passed: bool, description: str = "", **metadata: Any) -> list[AssetCheckResult]:
    return [AssetCheckResult(check_name=readable_check(system), passed=passed, severity=AssetCheckSeverity.ERROR,
                             description=description or None, metadata=metadata or None)]


def _skipped(system: str, reason: str) -> MaterializeResult:
    return MaterializeResult(
        check_results=_readable(system, True, f"skipped: {reason}"),
        metadata={
            "status": "skipped",
            "reason": reason,
            "rows_read": MetadataValue.int(0),
            "rows_landed": MetadataValue.int(0),
            "rows_quarantined": MetadataValue.int(0),
            "batch_ids": MetadataValue.json([]),
        }
    )


def build_bronze_asset(cfg: SourceConfig) -> AssetsDefinition:
    """The asset bronze/<system> for one source config."""
    source = cfg.path if not cfg.is_database else cfg.table or "query"

    @asset(
        key=bronze_key(cfg.system),
        group_name=cfg.department,
        description=cfg.title,
        kinds={"delta", cfg.format},
        metadata={
            "system": cfg.system,
            "department": cfg.department_title,
            "format": cfg.format,
            "source": str(source),
            "source_config": _relative(cfg.config_file),
            "required": MetadataValue.json(list(cfg.required)),
            "primary_key": MetadataValue.json(list(cfg.primary_key)),
        },
        tags={"shequyun/layer": "bronze", "shequyun/source_kind": "database" if cfg.is_database else "file"},
        check_specs=[AssetCheckSpec(readable_check(cfg.system), asset=bronze_key(cfg.system),
                                    description="every source of the system could be read (else the build uses the "
                                                "system's last good bronze data)",
                                    metadata={"rule": READABLE_RULE, "severity": "error"})],
    )
    def _bronze(context: AssetExecutionContext, shequyun: ShequyunResource) -> MaterializeResult:
        from connectors.landing import load_system

        paths = shequyun.paths()
        try:
            result = load_system(cfg, paths)
        except SourceUnavailable as exc:
            if shequyun.skip_unavailable_databases:
                context.log.warning(f"skipped {cfg.system}: {exc}")
                return _skipped(cfg.system, str(exc))
            raise Failure(description=str(exc), metadata={"system": cfg.system, "reason": exc.reason}) from exc
        except SourceError as exc:
            raise Failure(description=str(exc), metadata={"system": cfg.system, "reason": exc.reason}) from exc

        metadata = load_metadata(result)
        for warning in result.warnings:
            context.log.warning(f"{cfg.system}: {warning}")
        if result.failures:
            unavailable = [f for f in result.failures if isinstance(f, SourceUnavailable)]
            if shequyun.skip_unavailable_databases and len(unavailable) == len(result.failures) and not result.rows_read:
                context.log.warning(f"skipped {cfg.system}: {unavailable[0]}")
                return _skipped(cfg.system, "; ".join(str(f) for f in unavailable))
            messages = [str(f) for f in result.failures]
            landed_note = f" ({result.rows_landed:,} rows of the readable sources were landed)" if result.rows_landed else ""
            failed = {**metadata, "status": "failed", "errors": MetadataValue.json(messages)}
            from connectors import store

            if on_system_failure() == "degrade" and store.exists(paths.bronze / cfg.system):
                context.log.error(f"{cfg.system} FAILED, the build goes on with its last good bronze data: "
                                  + "; ".join(messages) + landed_note)
                return MaterializeResult(
                    metadata={**failed, "degraded": True},
                    check_results=_readable(cfg.system, False, "\n".join(messages) + landed_note + "; the build uses the "
                                            "system's last good bronze data (stale in build_info)"),
                )
            raise Failure(description="\n".join(messages) + landed_note, metadata=failed)
        context.log.info(
            f"{cfg.system}: read {result.rows_read:,}, landed {result.rows_landed:,}, "
            f"quarantined {result.rows_quarantined:,}, files skipped {result.files_skipped}"
        )
        return MaterializeResult(metadata=metadata, check_results=_readable(cfg.system, True))

    return _bronze


def build_bronze_assets(configs: Mapping[str, SourceConfig] | Iterable[SourceConfig]) -> list[AssetsDefinition]:
    values = configs.values() if isinstance(configs, Mapping) else configs
    return [build_bronze_asset(cfg) for cfg in sorted(values, key=lambda c: c.system)]
