"""Set-up shared by the benches that call handlers in process on moto: the layer (and any extra
folders) on sys.path, fake AWS credentials, quiet logs, and no endpoint override (moto intercepts)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare(*extra: Path) -> Path:
    for p in (ROOT / "layers" / "shared", ROOT, *extra):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_REGION", "us-east-1"),
                        ("POWERTOOLS_LOG_LEVEL", "ERROR")):
        os.environ.setdefault(name, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    return ROOT
