"""Where the URL and the key come from: `--url/--api-key` flags, else ACCORD_URL / ACCORD_API_KEY,
else the file `accord login` wrote (readable by its owner only: mode 0600, in a 0700 directory)."""
import json
import os
import sys

from accord_cli.errors import CliError


def config_path() -> str:
    if os.environ.get("ACCORD_CONFIG"):
        return os.environ["ACCORD_CONFIG"]
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = os.environ["APPDATA"]
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "accord", "config.json")


def load() -> dict:
    path = config_path()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CliError(f"Cannot read the config file {path} ({exc}): fix or delete it, or run `accord login`.") from exc
    return data if isinstance(data, dict) else {}


def save(data: dict) -> str:
    """Write atomically, created 0600 (never readable by others, not even for a moment)."""
    path = config_path()
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # in case the file existed with other bits
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def delete() -> bool:
    try:
        os.unlink(config_path())
        return True
    except FileNotFoundError:
        return False


class Settings:
    """The effective connection settings of a run, and where each came from."""

    def __init__(self, url, api_key, reports_url, timeout, source):
        self.url, self.api_key, self.reports_url, self.timeout, self.source = url, api_key, reports_url, timeout, source


def resolve(args) -> Settings:
    file = None

    def pick(flag, env, key):
        nonlocal file
        value = getattr(args, flag, None)
        if value:
            return value, "flag"
        if os.environ.get(env):
            return os.environ[env], env
        if file is None:
            file = load()
        return file.get(key), "config" if file.get(key) else None

    url, url_src = pick("url", "ACCORD_URL", "url")
    key, key_src = pick("api_key", "ACCORD_API_KEY", "api_key")
    reports, _ = pick("reports_url", "ACCORD_REPORTS_URL", "reports_url")
    timeout = getattr(args, "timeout", None)
    if not timeout:
        try:
            timeout = float(os.environ.get("ACCORD_TIMEOUT") or 30)
        except ValueError:
            raise CliError(f"ACCORD_TIMEOUT={os.environ['ACCORD_TIMEOUT']!r} is not a number of seconds.") from None
    return Settings(url, key, reports or url, timeout, {"url": url_src, "api_key": key_src})


def require(settings: Settings) -> Settings:
    if not settings.url:
        raise CliError("No Accord URL: set ACCORD_URL, pass --url, or run `accord login`.")
    if not settings.api_key:
        raise CliError("No API key: set ACCORD_API_KEY, pass --api-key, or run `accord login`.")
    return settings
