"""Load (issue 7): tools/loadtest.py briefly — 4 concurrent clients for 10 s of mixed reads, writes
and reports against a local runtime it starts itself (loopback). Prints requests, errors,
throughput and the latency distribution. Target: zero errors. (LOAD_CLIENTS / LOAD_SECONDS
override the defaults.)"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "tools"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")


def main():
    import loadtest
    clients = int(os.environ.get("LOAD_CLIENTS", "4"))
    seconds = float(os.environ.get("LOAD_SECONDS", "10"))
    out = loadtest.run(clients, seconds)
    print(f"  target: 0 errors — {'met' if out['errors'] == 0 else 'MISSED'}")
    return out


if __name__ == "__main__":
    main()
