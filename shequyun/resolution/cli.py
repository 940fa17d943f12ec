"""`shequyun match-model`: the person match model a data directory scores with (shequyun.resolution.match_model),
registered by shequyun.cli."""

from __future__ import annotations

import json

import click

from shequyun.core.options import with_paths
from shequyun.core.settings import Paths


@click.group("match-model")
def match_model_group() -> None:
    """The person match model (m and u per comparison level, prior, name frequencies): estimated by the first
    build of a data directory, then used by every build until it is retired."""


@match_model_group.command("show")
@with_paths()
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def show(paths: Paths, as_json: bool) -> None:
    """When and from which build the stored model was estimated, and its weights per comparison level."""
    import duckdb

    from shequyun.resolution.match_model import MatchModelError, read_match_model

    try:
        model = read_match_model(paths.person_match_model)
    except MatchModelError as exc:
        raise click.ClickException(str(exc)) from exc
    if model is None:
        raise click.ClickException(f"no person match model is stored in {paths.person_match_model}: the next build "
                                   "(`shequyun run`) estimates one and stores it")
    with duckdb.connect() as con:
        weights = con.execute(
            "select comparison, level::integer, m_probability::double, u_probability::double, match_weight::double, "
            "prior_match_weight::double "
            f"from read_parquet('{(model.folder / 'weights.parquet').as_posix()}') order by comparison, level"
        ).fetchall()
    if as_json:
        click.echo(json.dumps({
            "folder": str(model.folder), "estimated_at": model.estimated_at, "as_of": model.as_of,
            "code_version": model.code_version, "files": model.files,
            "weights": [dict(zip(("comparison", "level", "m_probability", "u_probability", "match_weight"), row))
                        for row in weights],
            "prior_match_weight": weights[0][5] if weights else None,
        }, ensure_ascii=False, indent=2))
        return
    click.echo(model.render())
    if weights:
        click.echo(f"prior match weight {weights[0][5]:.3f}")
    click.echo(f"{'comparison':<12}{'level':>6}{'m':>10}{'u':>12}{'weight':>9}")
    for comparison, level, m, u, weight, _ in weights:
        click.echo(f"{comparison:<12}{level:>6}{m:>10.4f}{u:>12.6f}{weight:>9.2f}")


@match_model_group.command("retire")
@with_paths()
def retire(paths: Paths) -> None:
    """Move the stored model aside (kept as models/person_match.retired-<time>): the next build estimates the
    parameters again from its data and stores them. Do this after a new department system joins, or once a season;
    person keys stay stable across it, merges and splits it causes are recorded as key events."""
    from shequyun.core.lock import data_dir_lock
    from shequyun.core.settings import lock_timeout
    from shequyun.resolution.match_model import retire_match_model

    with data_dir_lock(paths, "shequyun match-model retire", timeout=lock_timeout()):   # not under a running build
        retired = retire_match_model(paths.person_match_model)
    if retired is None:
        raise click.ClickException(f"no person match model is stored in {paths.person_match_model}")
    click.echo(f"retired the person match model to {retired}; the next build estimates a new one")


COMMANDS = [match_model_group]
