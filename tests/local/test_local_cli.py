"""`python -m local`: banner, readiness time, request log, Ctrl-C saves state."""

import os
import re
import signal
import subprocess
import sys
import time

import requests

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_cli_prints_everything_and_reports_its_ready_time(tmp_path):
    env = dict(os.environ, PORT="0", ACCORD_STATE_DIR=str(tmp_path), ACCORD_ADMIN_KEY="acc_cli_key")
    env.pop("ACCORD_LOCAL_QUIET", None)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "local", "--repo-root", FIXTURES],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, f"CLI exited early: {proc.stderr.read()}"
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        wall = time.perf_counter() - started
        out = "".join(lines)
        ready = float(re.search(r"ready in ([0-9.]+) s", out).group(1))
        url = re.search(r"API:\s+(http://127\.0\.0\.1:\d+)", out).group(1)
        moto = re.search(r"AWS emulator:\s+(http://127\.0\.0\.1:\d+)", out).group(1)
        assert "Admin key:    acc_cli_key" in out
        assert f"Queue JobsQueue: {moto}/123456789012/JobsQueue -> JobsFunction" in out
        assert f"Queue JobsDLQ: {moto}/123456789012/JobsDLQ (DLQ of JobsQueue)" in out
        assert f"aws sqs send-message --region us-east-1 --endpoint-url {moto} --queue-url {moto}/123456789012/JobsQueue" in out
        assert f"curl -s {url}/health" in out
        # readiness time is a figure of `make bench` (bench_devstart), not an assertion here
        print(f"startup: {ready:.2f} s reported, {wall:.2f} s wall clock incl. interpreter start")
        assert requests.get(url + "/health").status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert re.search(r"GET /health 200 \d+ms", err), err  # one log line per request
    assert "state saved" in err
    assert (tmp_path / "state.json").exists()
