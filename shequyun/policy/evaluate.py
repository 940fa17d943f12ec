"""Policies against the generator's truth: every eligible person, and no one else.

A policy's truth is its condition read over the truth persons: each tag it names is replaced by that tag's truth
(shequyun.tags.evaluate.TRUTH), each field by the truth person's attribute (shequyun.policy.sql.TruthCompiler), and
only living persons count. The comparison itself is shequyun.tags.evaluate.evaluate_tags: it
maps every resolved person to the true person most of its records belong to and counts tp / fp / fn per code. The
policies' matches are handed to it as extra predicted sets (codes prefixed "policy:") with their truth conditions,
in the same run as the tags' own figures (which name the tags limiting a policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from shequyun.policy.catalogue import Policy
from shequyun.policy.expression import FieldTest, Node, Not, tag_codes
from shequyun.policy.match import match
from shequyun.policy.sql import NoTruthError, TruthCompiler
from shequyun.tags import evaluate as tag_evaluate

POLICY_CODE_PREFIX = "policy:"


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
    as_of = tag_evaluate.database_as_of(database)
    results = {c.code: match(database, c.condition, policy=c.policy, tag_names=tag_names) for c in candidates}
    truths: dict[str, str] = {}
    notes: dict[str, str] = {}
    for candidate in candidates:
        try:
            truths[candidate.code] = truth_condition(candidate.condition)
        except NoTruthError as exc:
            notes[candidate.code] = str(exc)
    # one evaluation for the tags (which limit a policy) and the policies (under codes of their own)
    matched = pl.concat([results[code].persons.select(pl.col("person_key").cast(pl.String),
                                                      pl.lit(POLICY_CODE_PREFIX + code).alias("tag_code"))
                         for code in truths], how="vertical") if truths else None
    every = tag_evaluate.evaluate_tags(database, truth_dir, as_of,
                                       truth={**tag_evaluate.TRUTH,
                                              **{POLICY_CODE_PREFIX + c: t for c, t in truths.items()}},
                                       extra_predicted=matched)
    tag_figures = {code: every[code] for code in tag_evaluate.TRUTH}
    figures = {code.removeprefix(POLICY_CODE_PREFIX): m for code, m in every.items()
               if code.startswith(POLICY_CODE_PREFIX)}
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
