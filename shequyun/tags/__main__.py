"""`python -m shequyun.tags`: validate the catalogue and regenerate the dbt seed and model from it."""

from __future__ import annotations

import sys

from shequyun.tags.catalogue import CatalogueError
from shequyun.tags.render import write_all
from shequyun.tags.rules import RuleError


def main() -> int:
    try:
        for path in write_all():
            print(f"wrote {path}")
    except (CatalogueError, RuleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
