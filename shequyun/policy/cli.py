"""`shequyun policy ...` commands (registered by shequyun.cli): list, match, evaluate.

    shequyun policy list
    shequyun policy match milk_90_plus                       # by code, Chinese name or policies/... file
    shequyun policy match --where "tag:独居老人 and age>=80 and street:310115015"
    shequyun policy match 低保特困低收入家庭冬季慰问 --where "district:310115" --out /tmp/x
    shequyun policy evaluate                                 # every policy against the generator's truth

The database is opened read-only; ID and phone numbers are masked unless --unmasked is given.
"""

from __future__ import annotations

from pathlib import Path

import click

from shequyun.core.options import existing_database, with_paths
from shequyun.core.settings import POLICY_CATALOGUE_DIR, Paths

POLICIES_OPTION = click.option(
    "--policies", "policies_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
    help="Policy catalogue folder. Default: policies/ of the project.")
UNMASKED_WARNING = ("WARNING: --unmasked: ID and phone numbers are written in full. They are personal data (PIPL): "
                    "keep the files to those who need them.")


def _tags():
    from shequyun.policy.catalogue import TagIndex
    from shequyun.tags.catalogue import CatalogueError, load_catalogue
    from shequyun.tags.rules import RuleError

    try:
        return TagIndex(load_catalogue())
    except (CatalogueError, RuleError) as exc:
        raise click.ClickException(f"the tag catalogue does not validate: {exc}") from exc


def _catalogue_dir(policies_dir: Path | None) -> Path:
    return policies_dir or POLICY_CATALOGUE_DIR


@click.group("policy")
def policy_group() -> None:
    """Policy finds people (政策找人): policies as YAML (policies/), matched against the thematic database."""


@policy_group.command("list")
@POLICIES_OPTION
def policy_list(policies_dir: Path | None) -> None:
    """List the policies: code, name, owning level and area, department and the whole condition."""
    from shequyun.policy.catalogue import PolicyError, load_policies
    from shequyun.policy.expression import render

    tags = _tags()
    try:
        policies = load_policies(_catalogue_dir(policies_dir), tags)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    for p in policies:
        window = f"{p.effective_from or '…'} ~ {p.effective_to or '…'}"
        click.echo(f"{p.code}  {p.name}  [{p.level} {p.area_code}, {p.department}, {window}]")
        click.echo(f"    {render(p.condition, tags.name_of)}")
    click.echo(f"{len(policies)} policies")


@policy_group.command("match")
@click.argument("policy", required=False)
@click.option("--where", "where", default=None, metavar="EXPR",
              help='An ad-hoc condition, e.g. "tag:独居老人 and age>=80 and street:310115015"; with a policy it '
                   "narrows it.")
@with_paths(database=True)
@POLICIES_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for eligible.csv / eligible.parquet / counts.csv / manifest.json. "
                   "Default: <data dir>/policies/<policy code>/<as_of>/.")
@click.option("--unmasked", is_flag=True, default=False,
              help="Write ID and phone numbers in full (personal data: PIPL; a warning is printed).")
@click.option("--split-committees", is_flag=True, default=False,
              help="Also write one eligible.csv per committee (committees/<code>/): each committee's residents only.")
@click.option("--show-sql", is_flag=True, default=False, help="Also print the SQL and its bound parameters.")
def policy_match(policy: str | None, where: str | None, paths: Paths,
                 policies_dir: Path | None, out: Path | None, unmasked: bool, split_committees: bool,
                 show_sql: bool) -> None:
    """Find the persons a policy (code, Chinese name or file) and/or a --where condition select.

    Prints the eligible persons per committee and the total; writes the eligible list."""
    from shequyun.policy.catalogue import PolicyError, find_policy
    from shequyun.policy.expression import ExpressionError, parse_expression, render
    from shequyun.policy.match import combine, compile_match, match
    from shequyun.policy.output import (
        default_out_dir,
        folder_label,
        render_counts,
        write_match,
    )

    if policy is None and where is None:
        raise click.UsageError("give a policy (code, name or file), --where EXPR, or both")
    tags = _tags()
    try:
        chosen = find_policy(policy, _catalogue_dir(policies_dir), tags) if policy else None
    except (PolicyError, LookupError) as exc:
        raise click.ClickException(str(exc.args[0] if isinstance(exc, LookupError) else exc)) from exc
    try:
        extra = parse_expression(where, tags.code_of) if where is not None else None
    except ExpressionError as exc:
        raise click.BadParameter(str(exc), param_hint="--where") from exc
    db = existing_database(paths)
    condition = combine(chosen, extra)
    if show_sql:
        compiled = compile_match(condition, unmasked=unmasked)
        click.echo(compiled.sql.strip())
        click.echo(f"-- parameters: {compiled.params!r}")
    if unmasked:
        click.echo(UNMASKED_WARNING, err=True)
    names = {code: tag.name for code, tag in tags.by_code.items()}
    label = folder_label(chosen.code if chosen else None, where)
    result = match(db, condition, policy=chosen, tag_names=names, label=label, unmasked=unmasked)
    for warning in result.warnings:
        click.echo(f"WARNING: {warning}", err=True)
    title = f"{chosen.code} {chosen.name}" if chosen else "--where"
    click.echo(f"{title}   as of {result.as_of}   {db}")
    click.echo(f"condition: {render(condition, tags.name_of)}")
    click.echo(render_counts(result))
    folder = out or default_out_dir(paths.policies, label, result.as_of)
    files = write_match(result, folder, split_committees=split_committees)
    masking = "ID and phone numbers in full" if unmasked else "ID and phone numbers masked"
    click.echo(f"wrote {result.total:,} persons to {files['csv']} and {files['parquet'].name} ({masking})")
    if split_committees:
        click.echo(f"and one list per committee under {folder / 'committees'}")


@policy_group.command("evaluate")
@with_paths(database=True)
@POLICIES_OPTION
def policy_evaluate(paths: Paths, policies_dir: Path | None) -> None:
    """Compare every policy's eligible set with the generator's truth: precision and recall per policy."""
    from shequyun.policy.catalogue import PolicyError, load_policies
    from shequyun.policy.evaluate import evaluate_policies, render_policy_evaluation

    tags = _tags()
    try:
        policies = load_policies(_catalogue_dir(policies_dir), tags)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    db = existing_database(paths)
    truth = paths.truth
    if not (truth / "persons.parquet").exists():
        raise click.ClickException(f"no generator truth under {truth}: evaluate needs a generated city")
    names = {code: tag.name for code, tag in tags.by_code.items()}
    click.echo(render_policy_evaluation(evaluate_policies(db, truth, policies, names)))


COMMANDS: list[click.Command] = [policy_group]
