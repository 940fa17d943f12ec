"""Failpoints: named places where a test can have the process killed with SIGKILL, like a crash or `kill -9` there.

    failpoint("build.swap.after_previous")     # nothing happens, unless...

    SHEQUYUN_FAILPOINTS=build.swap.after_previous shequyun run ...   # ...the process kills itself at that point

`SHEQUYUN_FAILPOINTS` is a comma-separated list of point names; unset (always, outside the fault-injection tests in
tests/faults/) every call is one dictionary lookup of the environment. The process sends SIGKILL to itself, so
nothing runs after the point: no `finally`, no `atexit`, no flush - what a crash or the OOM killer leaves behind.
The points and what a kill there must leave intact are listed in docs/reliability.md (Kill points).

No library fits: the package index has no failpoint package like Go's gofail or Rust's `fail` crate, and a point
needs no more than an environment lookup and a signal.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT_VARIABLE = "SHEQUYUN_FAILPOINTS"


def failpoint(name: str) -> None:
    """Kill this process with SIGKILL when $SHEQUYUN_FAILPOINTS names `name`; otherwise do nothing."""
    armed = os.environ.get(ENVIRONMENT_VARIABLE)
    if armed and name in (point.strip() for point in armed.split(",")):
        os.kill(os.getpid(), signal.SIGKILL)
