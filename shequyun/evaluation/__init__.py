"""`shequyun evaluate`: resolved persons and houses against the generator's truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_city(database: Path, truth_dir: Path) -> dict[str, dict[str, Any]]:
    """Persons and houses (pairwise / B-cubed); residence (the golden 实住 house of living registered persons: right,
    wrong but undecidable from the records, wrong) when the database has the tag models' person profile."""
    import duckdb

    from shequyun.evaluation.houses import evaluate_houses
    from shequyun.evaluation.persons import evaluate_persons
    from shequyun.tags.evaluate import residence_summary

    figures: dict[str, dict[str, Any]] = {"persons": evaluate_persons(database, truth_dir),
                                          "houses": evaluate_houses(database, truth_dir)}
    try:
        figures["residence"] = residence_summary(database, truth_dir)
    except (duckdb.CatalogException, duckdb.BinderException):  # built before dim_person_profile (or its columns)
        pass
    return figures


def render_evaluation(figures: dict[str, dict[str, Any]]) -> str:
    lines = []
    for title, m in figures.items():
        counts = ", ".join(f"{k.replace('_', ' ')} {int(v):,}" for k, v in m.items() if not k.startswith(("pairwise", "bcubed")))
        lines.append(f"{title}: {counts}")
        if title == "residence":
            lines.append("  (living persons on a population register; undecidable: no record names the true house, or "
                         "a record naming a previous house is as recent and as many observations name it)")
            continue
        for kind in ("pairwise", "bcubed"):
            lines.append(
                f"  {kind:<9} precision {m[f'{kind}_precision']:.4f}  recall {m[f'{kind}_recall']:.4f}  F1 {m[f'{kind}_f1']:.4f}"
            )
    return "\n".join(lines)
