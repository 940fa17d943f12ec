"""A build whose dbt step is a copy of a finished database, for the kill points of the swap (tests/faults).

    python tests/faults/swap_build.py DATA_DIR FINISHED_DATABASE

Runs the sequence of pipelines.transform (thematic_database / _build) with the production functions, in its order:
the data directory's lock, a private copy of the current database (warehouse_build), "dbt" - here: the finished
database copied over the private copy -, the analyst database written from it, the swap of the thematic database
(current -> previous, build -> current), then of the analyst database. A real dbt build takes minutes; this takes
seconds, so a test can have it killed at every failpoint of the swap ($SHEQUYUN_FAILPOINTS) and at random moments.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from shequyun.analyst.publish import prepare_analyst_database
from shequyun.core.lock import data_dir_lock
from shequyun.core.settings import Paths
from shequyun.core.warehouse import warehouse_build


def swap_build(data_dir: Path, finished: Path) -> None:
    paths = Paths(data_dir)
    with data_dir_lock(paths, "build", timeout=0):
        with warehouse_build(paths.warehouse) as build:
            shutil.copyfile(finished, build)           # what `dbt build` would have written into the private copy
            publication = prepare_analyst_database(build, paths.root, warehouse=paths.warehouse)
        publication.commit()


if __name__ == "__main__":
    swap_build(Path(sys.argv[1]), Path(sys.argv[2]))
