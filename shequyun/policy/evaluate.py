"""Policies against the generator's truth: every eligible person, and no one else.

A policy's truth is its condition read over the truth persons: each tag it names is replaced by that tag's truth
(shequyun.tags.evaluate.TRUTH), each field by the truth person's attribute (shequyun.policy.sql.TruthCompiler), and
only living persons count. The comparison itself is shequyun.tags.evaluate.evaluate_tags, reused as it stands: it
maps every resolved person to the true person most of its records belong to and counts tp / fp / fn per code. It
reads predicted sets from a database's marts.fct_person_tag_current and truth conditions from its module's TRUTH,
so the policies' matches are written as "tags" into a scratch database (with the person -> record map copied
beside them) and evaluate_tags is given the policies' truth conditions instead of the tags'.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from shequyun.policy.catalogue import Policy
from shequyun.policy.expression import FieldTest, Node, Not, tag_codes
from shequyun.policy.match import match
from shequyun.policy.sql import NoTruthError, TruthCompiler
from shequyun.tags import evaluate as tag_evaluate


@dataclass
class PolicyFigures:
    code: str
    name: str
    eligible: int                    # persons the matcher found
    truth: int | None                # true eligible persons (None: no truth for a tag it names)
    precision: float | None
    recall: float | None
    tp: int | None
    fp: int | None
    fn: int | None
    limiting_tags: list[str]         # tags it names whose own precision or recall is below 1
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.fp == 0 and self.fn == 0


def truth_condition(condition: Node, tag_truth: dict[str, str] | None = None) -> str:
    """The condition over truth persons (living only); NoTruthError when a tag has no truth definition."""
    compiler = TruthCompiler(tag_evaluate.TRUTH if tag_truth is None else tag_truth)
    return f"living and {compiler.condition(condition)}"


def _residence_values(condition: Node) -> set[str]:
    out, stack = set(), [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, FieldTest):
            out |= {str(v) for v in node.values} if node.field == "residence" else set()
        elif isinstance(node, Not):
            stack.append(node.item)
        else:
            stack.extend(node.items)
    return out


def _limiting(condition: Node, codes: tuple[str, ...], tag_figures: dict[str, dict[str, float]]) -> list[str]:
    """The tags a condition names whose own precision or recall is below 1, and residence:人户分离 / 人户一致
    (the same survivorship as the 人户分离 tag, hukou_separated) when that tag is below 1."""
    def below(code: str) -> bool:
        return code in tag_figures and (tag_figures[code]["precision"] < 1 or tag_figures[code]["recall"] < 1)

    out = [c for c in codes if below(c)]
    if _residence_values(condition) & {"人户分离", "人户一致"} and below("hukou_separated"):
        out.append("residence (as hukou_separated)")
    return out


def _scratch_database(path: Path, database: Path, matched: dict[str, list[str]]) -> None:
    """marts.fct_person_source_records (copied) and marts.fct_person_tag_current (the policies' matches)."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{Path(database).as_posix()}' as wh (read_only)")
        con.execute("create schema marts")
        con.execute("create table marts.fct_person_source_records as "
                    "select person_key, record_key from wh.marts.fct_person_source_records")
        con.execute("create table marts.fct_person_tag_current (person_key varchar, tag_code varchar)")
        rows = pl.DataFrame([(key, code) for code, keys in matched.items() for key in keys],
                            schema={"person_key": pl.String, "tag_code": pl.String}, orient="row")
        con.register("matched_rows", rows)
        con.execute("insert into marts.fct_person_tag_current select person_key, tag_code from matched_rows")
        con.execute("detach wh")


@dataclass(frozen=True)
class Candidate:
    """What is evaluated: a code, a display name and a condition (a policy's, or an ad-hoc one)."""

    code: str
    name: str
    condition: Node
    policy: Policy | None = None


def evaluate_conditions(database: Path, truth_dir: Path, candidates: list[Candidate],
                        tag_names: dict[str, str] | None = None) -> list[PolicyFigures]:
    """Precision and recall of each condition's eligible set (the matcher's) against the truth of the same day."""
    truth_dir = Path(truth_dir)
    as_of = tag_evaluate.as_of_of(truth_dir)
    tag_figures = tag_evaluate.evaluate_tags(database, truth_dir, as_of)
    results = {c.code: match(database, c.condition, policy=c.policy, tag_names=tag_names) for c in candidates}
    truths: dict[str, str] = {}
    notes: dict[str, str] = {}
    for candidate in candidates:
        try:
            truths[candidate.code] = truth_condition(candidate.condition)
        except NoTruthError as exc:
            notes[candidate.code] = str(exc)
    figures: dict[str, dict[str, float]] = {}
    if truths:
        matched = {code: results[code].persons["person_key"].to_list() for code in truths}
        with tempfile.TemporaryDirectory(prefix="policy-eval-") as tmp:
            scratch = Path(tmp) / "policies.duckdb"
            _scratch_database(scratch, database, matched)
            figures = tag_evaluate.evaluate_tags(scratch, truth_dir, as_of, truth=truths)
    out = []
    for candidate in candidates:
        m = figures.get(candidate.code)
        limiting = _limiting(candidate.condition, tuple(tag_codes(candidate.condition)), tag_figures)
        out.append(PolicyFigures(
            code=candidate.code, name=candidate.name, eligible=results[candidate.code].total,
            truth=int(m["tp"] + m["fn"]) if m else None, precision=m["precision"] if m else None,
            recall=m["recall"] if m else None, tp=int(m["tp"]) if m else None, fp=int(m["fp"]) if m else None,
            fn=int(m["fn"]) if m else None, limiting_tags=limiting, note=notes.get(candidate.code, "")))
    return out


def evaluate_policies(database: Path, truth_dir: Path, policies: list[Policy],
                      tag_names: dict[str, str] | None = None) -> list[PolicyFigures]:
    """Precision and recall of every policy's eligible set against the truth of the same day."""
    candidates = [Candidate(p.code, p.name, p.condition, p) for p in policies]
    return evaluate_conditions(database, truth_dir, candidates, tag_names)


def render_policy_evaluation(figures: list[PolicyFigures]) -> str:
    lines = [(f"{'policy':<26} {'eligible':>8} {'truth':>6} {'precision':>9} {'recall':>7} {'fp':>4} {'fn':>4}  "
             f"limited by (tags below 1.0)")]
    for f in figures:
        if f.precision is None:
            lines.append(f"{f.code:<26} {f.eligible:>8} {'-':>6} {'-':>9} {'-':>7} {'-':>4} {'-':>4}  {f.note}")
            continue
        lines.append(f"{f.code:<26} {f.eligible:>8} {f.truth:>6} {f.precision:>9.4f} {f.recall:>7.4f} {f.fp:>4} "
                     f"{f.fn:>4}  {', '.join(f.limiting_tags) or '-'}")
    return "\n".join(lines)
