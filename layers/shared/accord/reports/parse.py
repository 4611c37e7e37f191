"""Dagster's External Assets REST API request semantics, and the typed events of the batch
endpoint and the SQS queue. Pure: no AWS, no I/O (the clock only bounds `timestamp`).

The HTTP routes follow dagster-webserver's `external_assets.py` step by step, in its order —
content type, asset key, `passed` (checks), `metadata`, then the event's construction — and
answer with Dagster's own error texts, its slips included (../shared/docs/api-compatibility.md
§3). The rule for differing: whatever Dagster answers 200 for, we accept too; we answer 400 only
where Dagster itself fails (500: malformed JSON, a wrong-typed `asset_key`, a body of `null`) or
stores something unusable (an empty key). Each deviation is listed in the README.
"""
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from accord import clock, errors, jsontext

MATERIALIZATION, OBSERVATION, CHECK = "materialization", "observation", "check"
TYPES = (MATERIALIZATION, OBSERVATION, CHECK)
SEVERITIES = ("WARN", "ERROR")

# Dagster's texts, byte for byte (observation's "no key" names the materialization route and its
# construction errors say AssetMaterialization; the check's "no key" names a route that does not exist).
_NO_KEY_ROUTE = {MATERIALIZATION: "/report_asset_materialization/",
                 OBSERVATION: "/report_asset_materialization/",
                 CHECK: "/report_asset_check_evaluation/"}
_CONSTRUCT = {MATERIALIZATION: "AssetMaterialization", OBSERVATION: "AssetMaterialization",
              CHECK: "AssetCheckEvaluation"}

# ------------------------------------------------------------------ limits (README "Reports")
MAX_BODY_BYTES = 1_048_576        # one request (the batch endpoint too)
MAX_JSON_DEPTH = jsontext.MAX_JSON_DEPTH
MAX_METADATA_BYTES = 65_536       # one event's metadata, as compact JSON
MAX_DESCRIPTION_CHARS = 16_384
MAX_KEY_PARTS = 32
MAX_KEY_BYTES = 1_000             # the canonical key (compact JSON list); DynamoDB keys stop at 1-2 KB
MAX_NAME_CHARS = 256              # check_name, partition, data_version, event_id, environment
MAX_BATCH = 100                   # events per batch request or SQS message
MAX_FUTURE = timedelta(days=1)

_SPLIT = re.compile(r"[^a-zA-Z0-9_]")   # Dagster's ASSET_KEY_SPLIT_REGEX (query asset_key strings)


@dataclass
class Event:
    """One report, as stored: Dagster's fields plus our optional id and event time."""
    type: str
    asset_key: list
    metadata: dict = field(default_factory=dict)
    partition: str | None = None
    description: str | None = None
    data_version: str | None = None
    check_name: str | None = None
    passed: bool | None = None
    severity: str | None = None
    event_id: str | None = None        # the producer's id (or Idempotency-Key): dedupes
    timestamp: str | None = None       # ISO-8601 ms; None = when it is recorded
    environment: str | None = None     # which registered asset(s) a check's audit run goes to
    metadata_json: str = field(default="", repr=False, compare=False)  # metadata as stored ("" = {})

    def fingerprint(self) -> str:
        """What makes two reports with the same id the same report (server-assigned time excluded)."""
        body = {k: v for k, v in self.__dict__.items() if k not in ("event_id", "metadata_json")}
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def bad(message: str) -> errors.BadRequest:
    return errors.BadRequest(message)


# ------------------------------------------------------------------ JSON
loads = jsontext.loads  # ValueError (TooDeep / LoneSurrogate / malformed) says why


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _repr(value) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def _not_a(name: str, type_name: str, value) -> str:
    """dagster._check's parameter mismatch text."""
    return f'Param "{name}" is not a {type_name}. Got {_repr(value)} which is type {type(value)}.'


def _not_mapping(value) -> str:
    return f"Param \"metadata\" is not one of ['Mapping']. Got {_repr(value)} which is type {type(value)}."


_JSON_TYPES = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string",
               list: "array", dict: "object"}


def json_type(value) -> str:
    """The JSON name of a decoded value's type (for messages about what a client sent)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


# ------------------------------------------------------------------ HTTP body
def read_body(raw: str, content_type: str | None):
    """Dagster: no Content-Type → no body at all; `application/json` → the JSON body; anything else → 400.
    Ours: `application/json` with parameters (charset) is accepted; an empty body is `{}`; malformed JSON
    is 400 (Dagster: 500). Returns the decoded value, whatever its type (`body_fields` reads it)."""
    if content_type is None:
        return {}
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise bad(f"Unhandled content type {content_type}, expect no body or application/json")
    if not raw or not raw.strip():
        return {}
    if len(raw) > MAX_BODY_BYTES // 4 and len(raw.encode("utf-8")) > MAX_BODY_BYTES:
        raise errors.PayloadTooLarge(f"Request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        body = loads(raw)
    except ValueError as exc:
        raise bad(f"Malformed JSON body: {exc}.") from None
    return body


# the body fields each Dagster handler looks up with `name in json_body`, whatever the body's type
_LOOKED_UP = {MATERIALIZATION: ("data_version", "partition", "description", "metadata"),
              CHECK: ("passed", "check_name", "severity", "metadata"),
              OBSERVATION: ("metadata", "partition", "description", "data_version")}


def body_fields(kind: str, body, path_key: str | None = None) -> dict:
    """The fields of a JSON body, read as Dagster reads them: it tests each field with `name in body`.
    On an array that is membership and on a string a substring test, so such a body has no fields and
    Dagster answers 200 with the path and query alone — unless it holds a field's name, when Dagster's
    next step (`body[name]`) fails (500). `null`, numbers and booleans fail the test itself (500). We
    answer 400 wherever Dagster fails, and read what it reads everywhere else."""
    if isinstance(body, dict):
        return body
    if isinstance(body, (list, str)):
        names = _LOOKED_UP[kind] + (() if key_from_path(path_key) else ("asset_key",))
        if not any(name in body for name in names):
            return {}
    raise bad(f"The JSON body must be an object, got {json_type(body)}.")


# ------------------------------------------------------------------ asset keys
def key_from_path(path_key: str | None) -> list | None:
    """`/report_asset_materialization/foo/bar/baz` → ["foo", "bar", "baz"] (Dagster: split on "/").
    Empty segments (a trailing or doubled slash) are dropped rather than stored as empty parts."""
    if not path_key:
        return None
    parts = [p for p in path_key.split("/") if p]
    return parts or None


def key_from_body(value) -> list:
    """Dagster's AssetKey(value): a string is one part (slashes and dots included), a list is the parts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        return list(value)
    raise bad(f"Invalid asset_key: expected a string or a list of strings, got {_repr(value)}.")


def key_from_query(value: str) -> list | None:
    """Dagster's AssetKey.from_db_string: a JSON list (`["a/b","c"]`), else the string split on every
    character that is not a letter, digit or underscore (`foo/bar` and `foo.bar` → ["foo", "bar"])."""
    if not value:
        return None
    if value[0] == "[":
        try:
            parts = json.loads(value)
        except ValueError:
            parts = [p for p in _SPLIT.split(value) if p]
    else:
        parts = [p for p in _SPLIT.split(value) if p]
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise bad(f"Invalid asset_key: expected a JSON list of strings or a string, got {_repr(value)}.")
    return parts


def no_key(kind: str) -> errors.BadRequest:
    return bad(f"Empty asset key, must provide asset key as url path after {_NO_KEY_ROUTE[kind]} "
               "or query param asset_key.")


def check_key(kind: str, parts: list) -> list:
    if not parts or all(p == "" for p in parts):
        raise no_key(kind)
    if any(p == "" for p in parts):
        raise bad(f"Invalid asset_key {_repr(parts)}: key parts must not be empty.")
    if len(parts) > MAX_KEY_PARTS:
        raise bad(f"Invalid asset_key: at most {MAX_KEY_PARTS} parts, got {len(parts)}.")
    if any(_unstorable(p) for p in parts):
        raise bad("Invalid asset_key: key parts must not contain NUL characters or lone surrogates.")
    # a JSON character takes at most 6 bytes ("\u001f"), a part 3 more (quotes, comma): only a key
    # that could pass the limit is serialized to measure it
    if sum(6 * len(p) + 3 for p in parts) + 2 > MAX_KEY_BYTES and len(dumps(parts).encode("utf-8")) > MAX_KEY_BYTES:
        raise bad(f"Invalid asset_key: longer than {MAX_KEY_BYTES} bytes as a JSON list.")
    return parts


_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")  # control characters, lone surrogates
# what no store can hold: lone surrogates are not Unicode text (not UTF-8), NUL is refused by
# PostgreSQL (Dagster's production storage fails on it too) and is nothing a name should carry
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_control(text: str) -> bool:
    """For our own identifiers (event_id, Idempotency-Key, environment)."""
    return _CONTROL.search(text) is not None


def _unstorable(text: str) -> bool:
    """For Dagster's fields: any text Dagster stores, we store, except what no store can hold."""
    return _UNSTORABLE.search(text) is not None


# ------------------------------------------------------------------ one request
def _field(name: str, body: dict, query: dict):
    """Dagster's _value_from_body_or_params: the body's value if the body has the key (even null)."""
    if name in body:
        return body[name]
    return query.get(name)


def parse_request(kind: str, *, body, query: dict | None = None, path_key: str | None = None,
                  typed: bool = False) -> Event:
    """One report from a Dagster request (path, JSON body, query string) — or, with `typed`, from a
    typed event object (batch, queue). Raises BadRequest with Dagster's text, in Dagster's order."""
    query = query or {}
    body = body_fields(kind, body, path_key)
    # 1. the key: path, then body, then query
    parts = key_from_path(path_key)
    if parts is None:
        if "asset_key" in body:
            parts = key_from_body(body["asset_key"])
        elif "asset_key" in query:
            parts = key_from_query(query["asset_key"])
    if parts is None:
        raise no_key(kind)
    parts = check_key(kind, parts)

    # 2. `passed` (checks): required, query value JSON-decoded
    passed = None
    if kind == CHECK:
        if "passed" in body:
            passed = body["passed"]
        elif "passed" in query:
            try:
                passed = json.loads(query["passed"])
            except ValueError as exc:
                raise bad(f"Error parsing 'passed': {exc}") from None
        else:
            raise bad("Missing required parameter 'passed'.")

    # 3. metadata: the body's as is, the query's JSON-decoded
    metadata = None if kind == MATERIALIZATION else {}
    if "metadata" in body:
        metadata = body["metadata"]
    elif "metadata" in query:
        try:
            metadata = loads(query["metadata"])
        except ValueError as exc:
            raise bad(f"Error parsing metadata json: {exc}") from None

    # 4. construction, in the order Dagster's constructors check their parameters
    description = _field("description", body, query)
    partition = _field("partition", body, query)
    environment = _field("environment", body, query)
    construct = f"Error constructing {_CONSTRUCT[kind]}: "
    problem = None
    ev = Event(type=kind, asset_key=parts)
    if kind == CHECK:
        severity = _field("severity", body, query)
        if severity is None:
            severity = "ERROR"
        check_name = _field("check_name", body, query)
        if not (isinstance(severity, str) and severity in SEVERITIES):
            problem = f"{_repr(severity)} is not a valid AssetCheckSeverity"
        elif metadata is not None and not isinstance(metadata, dict):
            problem = _not_mapping(metadata)
        elif not isinstance(check_name, str):
            problem = _not_a("check_name", "str", check_name)
        elif not isinstance(passed, bool):
            problem = _not_a("passed", "bool", passed)
        elif typed:
            problem = _optional_strings((("description", description), ("partition", partition)))
        if not typed:  # Dagster's check route does not read them: ours, kept when usable
            description, partition = _ours(description, MAX_DESCRIPTION_CHARS), _ours(partition)
        ev.check_name, ev.passed, ev.severity = check_name, passed, severity
    else:
        if metadata is not None and not isinstance(metadata, dict):
            problem = _not_mapping(metadata)
        else:
            order = (("partition", partition), ("description", description)) if kind == MATERIALIZATION \
                else (("description", description), ("partition", partition))
            problem = _optional_strings(order)
        # Dagster keeps any data_version as a tag, unchecked: its storage fails only afterwards
        data_version = _field("data_version", body, query)
        if problem is None:
            data_version, problem = data_version_text(data_version)
        ev.data_version = data_version
    if typed:
        problem = problem or _optional_strings((("environment", environment),))
    else:  # no Dagster route reads it: ours, kept when usable
        environment = _ours(environment, identifier=True)
    if problem:
        raise bad(construct + problem)
    ev.metadata = metadata or {}
    ev.description, ev.partition, ev.environment = description, partition, environment
    return check_limits(ev, construct)


def data_version_text(value) -> tuple[str | None, str | None]:
    """`data_version` as stored, or why it cannot be. Dagster puts any value in the event's tags
    unchecked and answers 200 for a string, a number or a boolean; its UI shows their string form
    (`5` → "5", `1.5` → "1.5", `true` → "true"), which we keep. An array or an object makes its event
    storage fail (500: SQLite cannot bind it, PostgreSQL cannot adapt an object), a non-finite
    number (`1e400`) is no version: 400 here."""
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value), None
    return None, (f'Param "data_version" must be a string, a number or a boolean. '
                  f"Got {_repr(value)} which is type {type(value)}.")


def _ours(value, max_chars: int = MAX_NAME_CHARS, *, identifier: bool = False) -> str | None:
    """A field of ours on a Dagster route, which Dagster ignores: a usable value (a string within our
    limits; an `identifier` without control characters) is kept, any other is ignored as Dagster
    ignores it — a Dagster client is never refused for it. (The typed events of the batch route and
    the queue are ours: there check_limits says what is wrong.)"""
    if isinstance(value, str) and len(value) <= max_chars \
            and not (_has_control(value) if identifier else _unstorable(value)):
        return value
    return None


def _finite(value):
    """Metadata with numbers beyond double range (`1e400` decodes to infinity), which JSON cannot
    write back: each becomes the string "Infinity" / "-Infinity" (Dagster keeps a float infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _optional_strings(pairs) -> str | None:
    for name, value in pairs:
        if value is not None and not isinstance(value, str):
            return _not_a(name, "str", value)
    return None


def check_limits(ev: Event, construct: str = "") -> Event:
    """Our bounds (after Dagster's checks): sizes that would break storage or the 400 KB item limit,
    and text no store can hold; our own `environment` takes no control characters."""
    for name in ("check_name", "partition", "data_version", "environment"):
        value = getattr(ev, name)
        if value is None:
            continue
        if len(value) > MAX_NAME_CHARS:
            raise bad(f"{name} is {len(value)} characters long; the limit is {MAX_NAME_CHARS}.")
        if _unstorable(value) or (name == "environment" and _has_control(value)):
            what = "control characters" if name == "environment" else "NUL characters"
            what += " or lone surrogates"
            raise bad(f"{name} must not contain {what}.")
    if ev.type == CHECK and not ev.check_name:
        raise bad(construct + "check_name must not be empty.")
    if ev.description is not None and len(ev.description) > MAX_DESCRIPTION_CHARS:
        raise errors.PayloadTooLarge(f"description is {len(ev.description)} characters long; "
                                     f"the limit is {MAX_DESCRIPTION_CHARS}.")
    ev.metadata_json = dumps(ev.metadata) if ev.metadata else ""
    if "Infinity" in ev.metadata_json:  # cheap test first: only an overflowing number (1e400) makes one
        ev.metadata = _finite(ev.metadata)
        ev.metadata_json = dumps(ev.metadata)
    size = len(ev.metadata_json.encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise errors.PayloadTooLarge(f"metadata is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES} bytes.")
    return ev


# ------------------------------------------------------------------ typed events (batch, SQS)
def parse_typed(obj) -> Event:
    """One object of the batch endpoint or of an SQS message: the HTTP body's fields plus `type`
    (materialization|observation|check), optional `event_id` (dedupes) and `timestamp` (event time:
    ISO-8601 or epoch seconds; orders "latest")."""
    if not isinstance(obj, dict):
        raise bad(f"Each event must be a JSON object, got {type(obj).__name__}.")
    kind = obj.get("type")
    if kind not in TYPES:
        raise bad(f"Field 'type' must be one of {', '.join(TYPES)}; got {_repr(kind)}.")
    ev = parse_request(kind, body=obj, typed=True)
    event_id = obj.get("event_id")
    if event_id is not None:
        if not isinstance(event_id, str) or not event_id.strip():
            raise bad(f"Field 'event_id' must be a non-empty string; got {_repr(event_id)}.")
        ev.event_id = check_event_id(event_id, "event_id")
    if obj.get("timestamp") is not None:
        ev.timestamp = clock.iso(parse_timestamp(obj["timestamp"]))
    return ev


def check_event_id(value: str, name: str) -> str:
    if len(value) > MAX_NAME_CHARS:
        raise bad(f"{name} is {len(value)} characters long; the limit is {MAX_NAME_CHARS}.")
    if _has_control(value):
        raise bad(f"{name} must not contain control characters.")
    return value


def parse_timestamp(value) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad(f"Field 'timestamp' must be ISO-8601 or epoch seconds; got {_repr(value)}.")
    try:
        if isinstance(value, str):
            when = clock.parse(value.strip())
        else:
            when = datetime.fromtimestamp(float(value), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise bad(f"Field 'timestamp' must be ISO-8601 or epoch seconds; got {_repr(value)}.") from None
    if when > clock.now() + MAX_FUTURE:
        raise bad(f"Field 'timestamp' is more than a day in the future: {clock.iso(when)}.")
    if when.year < 1970:
        raise bad(f"Field 'timestamp' is before 1970: {_repr(value)}.")
    return when


BATCH_SHAPE = 'a JSON list of event objects or {"events": [...]}'


def parse_batch(payload, *, single: bool = False) -> list:
    """The event objects of a batch request's body (a list, or `{"events": [...]}`) or of an SQS
    message body (`single`: one event object too). Returns the raw objects; each is parsed on its own
    (partial success). Any other body (`null`, a number, a string, `true`) is 400 as a whole."""
    expected = BATCH_SHAPE.replace("a JSON list", "one event object, a JSON list") if single else BATCH_SHAPE
    if isinstance(payload, dict) and "events" in payload and "type" not in payload:
        payload = payload["events"]
        if not isinstance(payload, list):
            raise bad(f"Field 'events' must be a list of event objects, got {json_type(payload)}.")
    elif isinstance(payload, dict) and single:
        payload = [payload]
    elif not isinstance(payload, list):
        raise bad(f"Expected {expected}; got {json_type(payload)}.")
    if not payload:
        raise bad(f"No events: send {expected} with at least one event.")
    if len(payload) > MAX_BATCH:
        raise errors.PayloadTooLarge(f"{len(payload)} events in one request; the limit is {MAX_BATCH}.")
    return payload
