"""The client's pure parts, imported from its source tree (tests/e2e/cli runs the installed command)."""
import sys

from tests.conftest import ROOT

SRC = ROOT / "clients" / "python" / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))
