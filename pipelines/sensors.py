"""Sensors: react to department drops under landing/."""


import hashlib
import json
from collections import defaultdict
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from pipelines.ingest import bronze_key
from pipelines.jobs import ingest_job
from pipelines.resources import ShequyunResource


def file_signature(path: Path) -> str:
    """Size and modification time: a re-delivered (rewritten) file gets a new signature."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def pending_signatures(shequyun: ShequyunResource) -> dict[str, dict[str, str]]:
    """{system: {file relative to landing/: signature}} for the files not landed yet."""
    from connectors.config import load_source_configs
    from connectors.landing import pending_files

    paths = shequyun.paths()
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for system, cfg in sorted(load_source_configs().items()):
        if cfg.is_database:
            continue
        for file in pending_files(cfg, paths):
            file = Path(file)
            try:
                rel = file.resolve().relative_to(paths.landing).as_posix()
            except ValueError:
                rel = file.as_posix()
            try:
                out[system][rel] = file_signature(file)
            except FileNotFoundError:  # moved away between listing and stat
                continue
    return dict(out)


def run_key(system: str, files: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(sorted(files.items()), ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"{system}:{digest[:20]}"


@sensor(
    name="landing_sensor",
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a bronze run for each system with files under landing/ that are not landed yet.",
)
def landing_sensor(context: SensorEvaluationContext, shequyun: ShequyunResource) -> SensorResult | SkipReason:
    """One run request per system with new files. The cursor holds the pending files already requested
    (path -> size:mtime), so the same file is not requested twice while its run is queued or running; a
    file rewritten with new content is requested again. The run key (system + files + signatures) lets the
    daemon deduplicate too."""
    previous: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    pending = pending_signatures(shequyun)
    requests: list[RunRequest] = []
    for system, files in pending.items():
        new = {rel: sig for rel, sig in files.items() if previous.get(rel) != sig}
        if not new:
            continue
        requests.append(
            RunRequest(
                run_key=run_key(system, new),
                asset_selection=[bronze_key(system)],
                tags={"shequyun/trigger": "landing_sensor", "shequyun/system": system,
                      "shequyun/files": str(len(new))},
            )
        )
    cursor = json.dumps({rel: sig for files in pending.values() for rel, sig in sorted(files.items())},
                        ensure_ascii=False, sort_keys=True)
    if not requests:
        return SensorResult(skip_reason=SkipReason("no new files under landing/"), cursor=cursor)
    return SensorResult(run_requests=requests, cursor=cursor)
