"""Asset names: what an fqn and an environment may be (pure; shared by models and domain).

The fqn is part of sort keys (DynamoDB: 1024 bytes), so it is bounded in UTF-8 bytes; it may not
hold control characters (U+001F separates key parts) nor empty dot-segments (`a..b`, `.a`, `a.`),
because `fqn` filters match whole segments.
"""
import re

MAX_FQN_BYTES = 800
ENVIRONMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_fqn(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("fqn must not be blank")
    if CONTROL.search(value):
        raise ValueError("fqn must not contain control characters")
    if any(not part.strip() for part in value.split(".")):
        raise ValueError("fqn segments between dots must not be empty (no leading, trailing or double dots)")
    if len(value.encode("utf-8")) > MAX_FQN_BYTES:
        raise ValueError(f"fqn must be at most {MAX_FQN_BYTES} bytes (UTF-8)")
    return value


def check_environment(value: str) -> str:
    value = value.strip()
    if not ENVIRONMENT.match(value):
        raise ValueError("environment must be 1-64 letters, digits, '_', '.', ':' or '-', "
                         "starting with a letter or digit")
    return value
