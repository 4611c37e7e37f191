"""The plain model of what the local runtime serves, read from the template: functions, REST
APIs with their routes, authorizers and gateway responses, routing rules, tables, queues, layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"


class TemplateError(Exception):
    """The template cannot be run locally."""


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass
class ApiEvent:
    api_id: str
    path: str
    method: str  # upper case, or ANY
    authorizer: str | None  # None = the API's default, "NONE" = no auth, else authorizer name


@dataclass
class SqsEvent:
    name: str
    queue_id: str
    batch_size: int = 10
    report_batch_item_failures: bool = False
    enabled: bool = True
    batching_window: float = 0.0
    max_concurrency: int = 1  # ScalingConfig.MaximumConcurrency: batches handled at once


@dataclass
class StreamEvent:
    """A DynamoDB stream event source mapping (Type: DynamoDB)."""
    name: str
    table_id: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    filters: list = field(default_factory=list)  # FilterCriteria patterns (parsed JSON)
    enabled: bool = True


@dataclass
class ScheduleEvent:
    """A Schedule / ScheduleV2 event: the function is invoked every `seconds` (rate expressions)."""
    name: str
    expression: str
    seconds: float | None  # None: not a rate() expression (not emulated)
    enabled: bool = True


@dataclass
class EventBus:
    logical_id: str
    name: str


@dataclass
class EventRule:
    logical_id: str
    name: str
    bus: str
    pattern: dict | None
    targets: list


@dataclass
class Function:
    logical_id: str
    name: str
    code_dir: str
    handler: str
    runtime: str
    timeout: float
    memory: int
    layer_dirs: list[str]
    environment: dict[str, str]
    api_events: list[ApiEvent] = field(default_factory=list)
    sqs_events: list[SqsEvent] = field(default_factory=list)
    stream_events: list[StreamEvent] = field(default_factory=list)
    schedule_events: list[ScheduleEvent] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{self.name}"


@dataclass
class Authorizer:
    name: str
    function_id: str
    payload_type: str  # REQUEST | TOKEN
    identity_headers: list[str]
    identity_querystrings: list[str]
    ttl: int  # ReauthorizeEvery (0 = no gateway cache)
    token_header: str = "Authorization"  # TOKEN authorizers


@dataclass
class Route:
    api_id: str
    path: str
    method: str
    function_id: str
    authorizer: str | None  # resolved: None = no auth, else authorizer name
    segments: tuple[str, ...] = ()


@dataclass
class GatewayResponse:
    status: int | None
    templates: dict[str, str]
    headers: dict[str, str]


@dataclass
class Api:
    logical_id: str
    stage: str
    default_authorizer: str | None
    authorizers: dict[str, Authorizer]
    gateway_responses: dict[str, GatewayResponse]
    binary_media_types: list[str]
    cors: dict | None
    routes: list[Route] = field(default_factory=list)
    minimum_compression_size: int | None = None  # MinimumCompressionSize: None = never compress


@dataclass
class RoutingRule:
    logical_id: str
    priority: int
    base_paths: list[list[str]] | None  # None = no base-path condition
    header_conditions: list[list[tuple[str, str]]]  # each: AnyOf [(header, glob)]
    api_id: str
    stage: str | None
    strip_base_path: bool


@dataclass
class Table:
    logical_id: str
    name: str
    create_args: dict
    ttl_attribute: str | None

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{self.name}"


@dataclass
class Queue:
    logical_id: str
    name: str
    attributes: dict[str, str]
    dlq_id: str | None = None
    max_receive_count: int | None = None

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{self.name}"


@dataclass
class Bucket:
    logical_id: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:s3:::{self.name}"


@dataclass
class Layer:
    logical_id: str
    content_dir: str

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:layer:{self.logical_id}:1"


@dataclass
class Model:
    path: str
    parameters: dict[str, Any]
    functions: dict[str, Function]
    apis: dict[str, Api]
    routing_rules: list[RoutingRule]
    tables: dict[str, Table]
    queues: dict[str, Queue]
    layers: dict[str, Layer]
    warnings: list[str]
    buckets: dict[str, Bucket] = field(default_factory=dict)
    buses: dict[str, EventBus] = field(default_factory=dict)
    rules: dict[str, EventRule] = field(default_factory=dict)

    def queues_in_creation_order(self) -> list[Queue]:
        """Dead-letter queues before the queues that redrive to them."""
        done: list[Queue] = []
        seen: set[str] = set()

        def visit(q: Queue, stack: tuple[str, ...] = ()) -> None:
            if q.logical_id in seen:
                return
            if q.logical_id in stack:
                raise TemplateError(f"redrive cycle through {q.logical_id}")
            if q.dlq_id and q.dlq_id in self.queues:
                visit(self.queues[q.dlq_id], stack + (q.logical_id,))
            seen.add(q.logical_id)
            done.append(q)

        for q in self.queues.values():
            visit(q)
        return done
