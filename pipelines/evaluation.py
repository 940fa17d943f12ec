"""Accuracy of the thematic database against the synthetic city's ground truth, recorded as asset metadata.

Runs after each build of the thematic database when the data directory holds a generated city (truth/);
on a real city there is no truth and the asset says so.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.resources import ShequyunResource
from shequyun.core.warehouse import current_database

UPSTREAM = [AssetKey("int_person_clusters_resolved"), AssetKey("int_house_records_resolved")]


@asset(
    key=["evaluation", "resolution_accuracy"],
    group_name="evaluation",
    deps=UPSTREAM,
    description="人房解析准确率: pairwise and B-cubed precision / recall / F1 of resolved persons and houses vs truth",
    kinds={"duckdb"},
)
def resolution_accuracy(context: AssetExecutionContext, shequyun: ShequyunResource) -> MaterializeResult:
    from shequyun.evaluation import evaluate_city, render_evaluation

    paths = shequyun.paths()
    database = current_database(paths.warehouse)
    if not (paths.truth / "source_records.parquet").exists():
        return MaterializeResult(metadata={"status": "no ground truth (not a generated city)"})
    figures = evaluate_city(database, paths.truth)
    context.log.info("\n" + render_evaluation(figures))
    metadata: dict[str, object] = {"status": "evaluated", "database": str(database)}
    for entity, m in figures.items():
        for name, value in m.items():
            key = f"{entity}_{name}"
            metadata[key] = MetadataValue.float(round(float(value), 6)) if isinstance(value, float) else int(value)
    return MaterializeResult(metadata=metadata)
