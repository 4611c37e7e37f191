"""The `accord` client as users get it: built and installed from clients/python with pip (the
wheel, not the source tree), then run as the console command in fresh processes."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "python"


def install(target: Path) -> Path:
    """pip-install the client into `target` (no deps: rich and mcp come from the test venv; no
    build isolation: the build backend, hatchling, too — no network in tests)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(CLIENT)],
                   check=True, capture_output=True, text=True)
    return target


class Cli:
    """Runs the installed `accord` with a clean environment: only what a test gives it."""

    def __init__(self, target: Path, home: Path):
        self.target, self.home = target, home
        self.bin = target / "bin" / "accord"

    def env(self, url: str | None = None, key: str | None = None, **extra) -> dict:
        env = {"PATH": f"{self.target / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               "PYTHONPATH": str(self.target), "HOME": str(self.home), "XDG_CONFIG_HOME": str(self.home / ".config"),
               "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        if url:
            env["ACCORD_URL"] = url
        if key:
            env["ACCORD_API_KEY"] = key
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def __call__(self, *args, url=None, key=None, input=None, env=None, timeout=120, **extra):
        return subprocess.run([str(self.bin), *map(str, args)], input=input, capture_output=True, text=True,
                              env=env or self.env(url, key, **extra), timeout=timeout)
