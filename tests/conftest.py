import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "layers" / "shared", ROOT, ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

# Never let a test reach a real AWS account.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


# Two xdist groups, one per worker (--dist loadgroup -n 2 gives each worker exactly one):
# - "runtime": the suites whose session fixtures start local runtimes (their SQS pollers and
#   other threads live until the session ends);
# - "inproc": everything else, above all the integration tests, whose mock_aws intercepts every
#   botocore call *of the process* — a runtime thread in the same process would talk to the
#   in-process mock (and contend for its lock) instead of its moto server.
_RUNTIME_SUITES = ("tests/e2e/", "tests/local/")


@pytest.hookimpl(tryfirst=True)  # before xdist's worker turns the mark into the "@group" nodeid suffix
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        group = "runtime" if any(s in path for s in _RUNTIME_SUITES) else "inproc"
        item.add_marker(pytest.mark.xdist_group(group))
        _group_suffix(config, item, group)


def _group_suffix(config, item, group: str) -> None:
    """pytest 9 reads `nodeid` from `item._id`, but xdist 3.8 appends the "@group" suffix that
    --dist loadgroup schedules by to the old `item._nodeid`, which pytest 9 ignores: nothing was
    grouped and each xdist worker started a runtime of its own. Put the suffix where pytest reads it."""
    if not getattr(config.option, "loadgroup", False) or "@" in item.nodeid.rpartition("]")[2]:
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: xdist's own suffix works
        return
    item._id = NodeId.parse(f"{item.nodeid}@{group}")
