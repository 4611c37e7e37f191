"""An OpenLineage event as Accord reads it (pure: no AWS, no I/O).

`decode`/`loads` turn a request body (maybe gzip) into JSON within the limits below (README
"OpenLineage" lists them); `parse` turns a validated event into a `LineageEvent`: its kind and type,
run and job, and each dataset with the fqn it is matched by (DESIGN §10.2: its `name`, `/` → `.`
for file-like names) and the facets Accord reads.
"""
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

from accord import clock, errors, jsontext
from accord.registry.naming import check_fqn

MAX_BODY_BYTES = 1_048_576           # the request as sent (gzip or not)
MAX_JSON_BYTES = 4 * 1_048_576       # the event once decompressed
MAX_FACET_BYTES = 256 * 1024         # one facet, compact JSON
MAX_DATASETS = 100                   # inputs and outputs, each
MAX_NAME_CHARS = 1_024               # namespace and name of a dataset or job
MAX_FUTURE = timedelta(days=1)
GZIP_MAGIC = b"\x1f\x8b"

RUN_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
TERMINAL = ("COMPLETE", "FAIL", "ABORT")


def too_large(message: str) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(message, code="LINEAGE_EVENT_TOO_LARGE")


# ------------------------------------------------------------------ bytes → JSON
def decode(raw: bytes, content_encoding: str | None) -> str:
    """The body as text: gunzipped when it is gzip (`Content-Encoding: gzip`, or API Gateway already
    decompressed it and the header stayed), bounded before and after decompression."""
    if len(raw) > MAX_BODY_BYTES:
        raise too_large(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    encoding = (content_encoding or "").strip().lower()
    if encoding and encoding not in ("gzip", "x-gzip", "identity"):
        raise errors.UnsupportedMediaType(f"Content-Encoding {encoding!r} is not supported; send gzip or none.")
    if raw[:2] == GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
                raw = f.read(MAX_JSON_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise errors.BadRequest(f"The gzip body cannot be decompressed: {exc}.", code="MALFORMED_BODY") from None
        if len(raw) > MAX_JSON_BYTES:
            raise too_large(f"The decompressed event is larger than {MAX_JSON_BYTES} bytes.")
    elif encoding in ("gzip", "x-gzip") and raw[:1] not in (b"{", b"[", b" ", b"\n", b"\r", b"\t"):
        raise errors.BadRequest("Content-Encoding is gzip but the body is not gzip data.", code="MALFORMED_BODY")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.BadRequest("The body is not UTF-8 text.", code="MALFORMED_BODY") from None


def loads(text: str):
    if not text.strip():
        raise errors.BadRequest("The request body is empty: send one OpenLineage event (JSON).",
                                code="MALFORMED_BODY")
    try:
        return jsontext.loads(text)
    except jsontext.TooDeep:
        raise errors.BadRequest(f"JSON body is nested deeper than {jsontext.MAX_JSON_DEPTH} levels.",
                                code="MALFORMED_BODY") from None
    except ValueError as exc:
        raise errors.BadRequest(f"Malformed JSON body: {exc}.", code="MALFORMED_BODY") from None


def looks_like_lineage(value) -> bool:
    """An OpenLineage event by its shape (the reports queue takes both kinds of message)."""
    return isinstance(value, dict) and "eventTime" in value and "type" not in value \
        and ("producer" in value or "schemaURL" in value)


# ------------------------------------------------------------------ the event
@dataclass
class Dataset:
    namespace: str
    name: str
    role: str                                   # input | output | dataset (DatasetEvent)
    fqn: str | None                             # None: no registry fqn can be this name
    facets: dict = field(default_factory=dict)
    input_facets: dict = field(default_factory=dict)
    output_facets: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable id of (namespace, name): a dataset's discovered item and column-lineage refs."""
        return digest(self.namespace, self.name)

    def facet(self, name: str):
        for source in (self.facets, self.input_facets, self.output_facets):
            value = source.get(name)
            if isinstance(value, dict) and not value.get("_deleted"):
                return value
        return None


@dataclass
class LineageEvent:
    kind: str                       # RunEvent | DatasetEvent | JobEvent
    event_type: str | None          # RunEvent's eventType
    event_time: str                 # ISO-8601 ms, UTC
    producer: str
    run_id: str | None = None
    job_namespace: str | None = None
    job_name: str | None = None
    run_facets: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    dataset: Dataset | None = None

    @property
    def ident(self) -> str:
        """What makes two deliveries the same event: run id + event time + event type (a JobEvent:
        the job and its time; a DatasetEvent: the dataset and its time)."""
        if self.kind == "RunEvent":
            return digest(self.run_id, self.event_time, self.event_type or "")
        if self.kind == "JobEvent":
            return digest("job", self.job_namespace, self.job_name, self.event_time)
        return digest("dataset", self.dataset.namespace, self.dataset.name, self.event_time)

    @property
    def job_key(self) -> str | None:
        return digest(self.job_namespace, self.job_name) if self.job_name is not None else None

    @property
    def job_label(self) -> str | None:
        return f"{self.job_namespace}/{self.job_name}" if self.job_name is not None else None

    @property
    def short_producer(self) -> str:
        return producer_name(self.producer)


def digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def dataset_fqn(name: str) -> str | None:
    """The registry fqn a dataset name is matched by: the name itself (`db.schema.table`), with `/`
    → `.` for file-like names (`/warehouse/orders/part.parquet` → `warehouse.orders.part.parquet`,
    empty segments dropped). None when no valid fqn can be made (control characters, too long)."""
    text = name.strip()
    if "/" in text:
        text = ".".join(p for p in text.split("/") if p.strip())
    try:
        return check_fqn(text)
    except ValueError:
        return None


_KNOWN = ("great_expectations", "great-expectations", "dbt", "airflow", "spark", "flink", "dagster", "trino",
          "hive", "snowflake", "bigquery", "databricks", "prefect", "openlineage")
_VERSIONISH = re.compile(r"^v?\d+([._-]\d+)*$|^\d|^(tree|blob|main|master|integration|client|python|java)$")


def producer_name(producer: str) -> str:
    """A short name for the audit runs' `triggered_by`: the integration named in the producer URI
    (`.../integration/dbt` → dbt, `.../apache/airflow/...` → airflow), else `openlineage`."""
    low = (producer or "").lower()
    for name in _KNOWN[:-1]:
        if re.search(rf"(^|[/:._-]){re.escape(name)}([/:._-]|$)", low):
            return name.replace("-", "_")
    try:
        parts = [p for p in urlparse(producer).path.split("/") if p]
    except ValueError:
        parts = []
    for part in reversed(parts):
        clean = re.sub(r"[^a-z0-9_-]", "", part.lower())[:50]
        if clean and not _VERSIONISH.match(clean):
            return clean
    return "openlineage"


def _name(value: str, where: str) -> str:
    if len(value) > MAX_NAME_CHARS:
        raise too_large(f"{where} is {len(value)} characters long; the limit is {MAX_NAME_CHARS}.")
    if "\x00" in value:
        raise errors.Unprocessable(f"{where} must not contain NUL.", code="INVALID_LINEAGE_EVENT")
    return value


def _facets(value, where: str) -> dict:
    if not isinstance(value, dict):
        return {}
    for name, facet in value.items():
        size = len(json.dumps(facet, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        if size > MAX_FACET_BYTES:
            raise too_large(f"Facet {where}.{name} is {size} bytes; the limit is {MAX_FACET_BYTES}.")
    return value


def _dataset(obj: dict, role: str, where: str) -> Dataset:
    namespace = _name(obj["namespace"], f"{where}.namespace")
    name = _name(obj["name"], f"{where}.name")
    return Dataset(namespace=namespace, name=name, role=role, fqn=dataset_fqn(name),
                   facets=_facets(obj.get("facets"), f"{where}.facets"),
                   input_facets=_facets(obj.get("inputFacets"), f"{where}.inputFacets"),
                   output_facets=_facets(obj.get("outputFacets"), f"{where}.outputFacets"))


def event_time(value: str) -> str:
    when = clock.parse(value)
    if when > clock.now() + MAX_FUTURE:
        raise errors.Unprocessable(f"eventTime {value} is more than a day in the future.",
                                   code="INVALID_LINEAGE_EVENT",
                                   detail=[{"loc": ["body", "eventTime"], "msg": "more than a day ahead",
                                            "type": "value_error"}])
    return clock.iso(when)


def parse(obj: dict, kind: str) -> LineageEvent:
    """A validated event (validate.validate said `kind`) as Accord reads it; 413 beyond the limits."""
    ev = LineageEvent(kind=kind, event_type=obj.get("eventType") if kind == "RunEvent" else None,
                      event_time=event_time(obj["eventTime"]), producer=obj.get("producer") or "")
    job = obj.get("job")
    if isinstance(job, dict):
        ev.job_namespace = _name(job["namespace"], "job.namespace")
        ev.job_name = _name(job["name"], "job.name")
    if kind == "RunEvent":
        ev.run_id = str(obj["run"]["runId"]).lower()
        ev.run_facets = _facets(obj["run"].get("facets"), "run.facets")
    for role, attr in (("inputs", "inputs"), ("outputs", "outputs")):
        items = obj.get(role) or []
        if len(items) > MAX_DATASETS:
            raise too_large(f"{role} lists {len(items)} datasets; the limit is {MAX_DATASETS}.")
        getattr(ev, attr).extend(_dataset(d, role[:-1], f"{role}.{i}") for i, d in enumerate(items))
    if kind == "DatasetEvent":
        ev.dataset = _dataset(obj["dataset"], "dataset", "dataset")
    return ev

