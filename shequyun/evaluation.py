"""`shequyun evaluate`: resolved persons and houses against the generator's truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def evaluate_city(database: Path, truth_dir: Path) -> dict[str, dict[str, Any]]:
    from shequyun.address.evaluate import evaluate_houses
    from shequyun.resolve.evaluate import evaluate_persons

    return {"persons": evaluate_persons(database, truth_dir), "houses": evaluate_houses(database, truth_dir)}


def render_evaluation(figures: dict[str, dict[str, Any]]) -> str:
    lines = []
    for title, m in figures.items():
        counts = ", ".join(f"{k.replace('_', ' ')} {int(v):,}" for k, v in m.items() if not k.startswith(("pairwise", "bcubed")))
        lines.append(f"{title}: {counts}")
        for kind in ("pairwise", "bcubed"):
            lines.append(
                f"  {kind:<9} precision {m[f'{kind}_precision']:.4f}  recall {m[f'{kind}_recall']:.4f}  F1 {m[f'{kind}_f1']:.4f}"
            )
    return "\n".join(lines)
