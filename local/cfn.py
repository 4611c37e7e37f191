"""CloudFormation/SAM template reading for the local runtime.

Parses ``template.yaml`` (short-form intrinsic tags included), applies parameters, conditions and
``Globals``, resolves the intrinsics a local run needs, and returns a plain model of what the
runtime serves: functions, REST APIs with their routes/authorizers/gateway responses, routing
rules, DynamoDB tables and SQS queues.

Physical names locally: a table's name is its ``TableName`` or its logical id; a queue's name is
its ``QueueName`` or its logical id; a function's name is its ``FunctionName`` or its logical id;
an API's id is its logical id.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"


class TemplateError(Exception):
    """The template cannot be run locally."""


# --------------------------------------------------------------------------------------------
# YAML loading with CloudFormation short-form tags
# --------------------------------------------------------------------------------------------


class CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that understands !Ref, !GetAtt, !Sub, ... (turned into their long forms).
    libyaml's parser when PyYAML has it: Accord's template parses in 0.08 s instead of 0.5 s,
    which every `make dev` start and every `make invoke` pays."""


def _construct(node: yaml.Node, loader: CfnLoader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _make_constructor(fn_name: str):
    def constructor(loader: CfnLoader, node: yaml.Node) -> Any:
        return {fn_name: _construct(node, loader)}

    return constructor


def _ref_constructor(loader: CfnLoader, node: yaml.Node) -> Any:
    return {"Ref": loader.construct_scalar(node)}


def _condition_constructor(loader: CfnLoader, node: yaml.Node) -> Any:
    return {"Condition": loader.construct_scalar(node)}


def _getatt_constructor(loader: CfnLoader, node: yaml.Node) -> Any:
    value = _construct(node, loader)
    if isinstance(value, str):
        logical, _, attr = value.partition(".")
        return {"Fn::GetAtt": [logical, attr]}
    return {"Fn::GetAtt": value}


CfnLoader.add_constructor("!Ref", _ref_constructor)
CfnLoader.add_constructor("!Condition", _condition_constructor)
CfnLoader.add_constructor("!GetAtt", _getatt_constructor)
for _tag in (
    "Sub",
    "If",
    "Join",
    "Select",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
    "Split",
    "Base64",
    "Cidr",
    "GetAZs",
    "Transform",
    "Length",
    "ToJsonString",
):
    CfnLoader.add_constructor(f"!{_tag}", _make_constructor(f"Fn::{_tag}"))


def load_yaml(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
    if not isinstance(doc, dict):
        raise TemplateError(f"{path}: not a YAML mapping")
    return doc


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


# --------------------------------------------------------------------------------------------
# Intrinsic resolution
# --------------------------------------------------------------------------------------------

_NO_VALUE = object()
_SUB_RE = re.compile(r"\$\{([^}]+)\}")


class Resolver:
    """Resolves intrinsic functions against parameters, conditions and local physical ids."""

    def __init__(
        self,
        template: dict,
        parameters: dict[str, Any],
        stack_name: str,
        moto_url: str,
        base_dir: str,
    ):
        self.template = template
        self.parameters = parameters
        self.stack_name = stack_name
        self.moto_url = moto_url.rstrip("/")
        self.base_dir = base_dir
        self.resources: dict[str, dict] = template.get("Resources") or {}
        self.mappings: dict = template.get("Mappings") or {}
        self.condition_defs: dict = template.get("Conditions") or {}
        self._conditions: dict[str, bool] = {}
        self.warnings: list[str] = []

    # -- conditions --------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_defs:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = False  # cycle guard
            self._conditions[name] = bool(self.eval_condition(self.condition_defs[name]))
        return self._conditions[name]

    def eval_condition(self, expr: Any) -> bool:
        if isinstance(expr, dict) and len(expr) == 1:
            (key, val), = expr.items()
            if key == "Condition":
                return self.condition(val)
            if key == "Fn::Equals":
                a, b = (self.resolve(v) for v in val)
                return _cfn_str(a) == _cfn_str(b)
            if key == "Fn::Not":
                return not self.eval_condition(val[0])
            if key == "Fn::And":
                return all(self.eval_condition(v) for v in val)
            if key == "Fn::Or":
                return any(self.eval_condition(v) for v in val)
        value = self.resolve(expr)
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)

    # -- physical values ---------------------------------------------------------------------
    def resource_type(self, logical_id: str) -> str | None:
        res = self.resources.get(logical_id)
        return res.get("Type") if isinstance(res, dict) else None

    def props(self, logical_id: str) -> dict:
        return (self.resources.get(logical_id) or {}).get("Properties") or {}

    def table_name(self, logical_id: str) -> str:
        name = self.props(logical_id).get("TableName")
        return str(self.resolve(name)) if name is not None else logical_id

    def queue_name(self, logical_id: str) -> str:
        props = self.props(logical_id)
        name = props.get("QueueName")
        if name is not None:
            return str(self.resolve(name))
        fifo = str(self.resolve(props.get("FifoQueue", False))).lower() == "true"
        return logical_id + (".fifo" if fifo else "")

    def function_name(self, logical_id: str) -> str:
        name = self.props(logical_id).get("FunctionName")
        return str(self.resolve(name)) if name is not None else logical_id

    def queue_url(self, logical_id: str) -> str:
        return f"{self.moto_url}/{ACCOUNT_ID}/{self.queue_name(logical_id)}"

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{self.stack_name}/local"
            ),
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        if name in pseudo:
            return pseudo[name]
        if name == "AWS::NoValue":
            return _NO_VALUE
        rtype = self.resource_type(name)
        if rtype == "AWS::DynamoDB::Table":
            return self.table_name(name)
        if rtype == "AWS::SQS::Queue":
            return self.queue_url(name)
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return self.function_name(name)
        if rtype in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1"
        if rtype is not None:
            return name  # APIs (api id = logical id), roles, ...
        # SAM implicit resources: <Api>.Stage, <Api><Stage>Stage, <Function>Role, ServerlessRestApi
        if name.endswith(".Stage") and self.resource_type(name[: -len(".Stage")]):
            return self.api_stage(name[: -len(".Stage")])
        if name == "ServerlessRestApi":
            return name
        self.warnings.append(f"unresolved Ref {name!r} (kept as its name)")
        return name

    def api_stage(self, api_id: str) -> str:
        stage = self.props(api_id).get("StageName")
        return str(self.resolve(stage)) if stage is not None else "Prod"

    def get_att(self, logical_id: str, attr: str) -> Any:
        rtype = self.resource_type(logical_id)
        if rtype == "AWS::DynamoDB::Table":
            name = self.table_name(logical_id)
            arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
            if attr == "Arn":
                return arn
            if attr == "StreamArn":
                return f"{arn}/stream/1970-01-01T00:00:00.000"
        elif rtype == "AWS::SQS::Queue":
            name = self.queue_name(logical_id)
            if attr == "Arn":
                return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}"
            if attr == "QueueName":
                return name
            if attr == "QueueUrl":
                return self.queue_url(logical_id)
        elif rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            if attr == "Arn":
                return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name(logical_id)}"
        elif rtype == "AWS::Serverless::Api" or logical_id == "ServerlessRestApi":
            if attr == "RootResourceId":
                return f"{logical_id}-root"
        if rtype is None and logical_id != "ServerlessRestApi":
            self.warnings.append(f"unresolved GetAtt {logical_id}.{attr}")
        return f"arn:{PARTITION}:local:{REGION}:{ACCOUNT_ID}:{logical_id}/{attr}"

    # -- the resolver ------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        out = self._resolve(value)
        return None if out is _NO_VALUE else out

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(v) for v in value]
            return [v for v in items if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._fn(key, arg)
        out = {}
        for k, v in value.items():
            r = self._resolve(v)
            if r is not _NO_VALUE:
                out[k] = r
        return out

    def _fn(self, key: str, arg: Any) -> Any:
        if key == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            logical, attr = self._resolve(arg[0]), self._resolve(arg[1])
            return self.get_att(logical, attr)
        if key == "Fn::Sub":
            if isinstance(arg, list):
                text, variables = arg[0], self._resolve(arg[1]) or {}
            else:
                text, variables = arg, {}
            return self._sub(text, variables)
        if key == "Fn::If":
            cond, a, b = arg
            return self._resolve(a if self.condition(cond) else b)
        if key == "Fn::Join":
            delim, items = arg
            items = self._resolve(items)
            return str(delim).join(_cfn_str(i) for i in items)
        if key == "Fn::Select":
            idx, items = self._resolve(arg[0]), self._resolve(arg[1])
            return items[int(idx)]
        if key == "Fn::Split":
            delim, text = arg
            return str(self._resolve(text)).split(delim)
        if key == "Fn::Equals":
            a, b = (self._resolve(v) for v in arg)
            return _cfn_str(a) == _cfn_str(b)
        if key in ("Fn::Not", "Fn::And", "Fn::Or"):
            return self.eval_condition({key: arg})
        if key == "Fn::FindInMap":
            m, k1, k2 = (self._resolve(v) for v in arg[:3])
            try:
                return self.mappings[m][k1][k2]
            except KeyError:
                if len(arg) > 3 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return self._resolve(arg[3]["DefaultValue"])
                raise TemplateError(f"Fn::FindInMap: no {m}/{k1}/{k2}") from None
        if key == "Fn::ImportValue":
            name = self._resolve(arg)
            self.warnings.append(f"Fn::ImportValue {name!r} cannot be resolved locally")
            return f"import:{name}"
        if key == "Fn::Base64":
            import base64

            return base64.b64encode(str(self._resolve(arg)).encode()).decode()
        if key == "Fn::GetAZs":
            return [f"{REGION}{z}" for z in "abcdef"]
        if key == "Fn::Length":
            return len(self._resolve(arg))
        if key == "Fn::ToJsonString":
            return json.dumps(self._resolve(arg), separators=(",", ":"))
        self.warnings.append(f"unsupported intrinsic {key}")
        return None

    def _sub(self, text: str, variables: dict) -> str:
        def repl(m: re.Match) -> str:
            expr = m.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return _cfn_str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                logical, attr = expr.split(".", 1)
                if self.resource_type(logical) or logical == "ServerlessRestApi":
                    if attr == "Stage":
                        return self.api_stage(logical)
                    return _cfn_str(self.get_att(logical, attr))
            return _cfn_str(self.ref(expr))

        return _SUB_RE.sub(repl, text)


def _cfn_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is _NO_VALUE:
        return ""
    return str(value)


# --------------------------------------------------------------------------------------------
# Building the model
# --------------------------------------------------------------------------------------------


def _merge_globals(glob: dict, props: dict) -> dict:
    """SAM Globals semantics: maps merge (resource wins), lists concatenate, scalars override."""
    out = dict(glob)
    for k, v in props.items():
        g = out.get(k)
        if isinstance(g, dict) and isinstance(v, dict) and not _is_intrinsic(v):
            out[k] = _merge_globals(g, v)
        elif isinstance(g, list) and isinstance(v, list):
            out[k] = g + v
        else:
            out[k] = v
    return out


def _is_intrinsic(v: Any) -> bool:
    return isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("Ref", "Condition") or (
        isinstance(v, dict) and len(v) == 1 and next(iter(v)).startswith("Fn::")
    )


def _int(value: Any, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def split_path(path: str) -> tuple[str, ...]:
    return tuple(s for s in path.split("/") if s != "")


def parameter_values(template: dict, overrides: dict[str, Any] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    overrides = dict(overrides or {})
    for name, spec in (template.get("Parameters") or {}).items():
        spec = spec or {}
        if name in overrides:
            value = overrides.pop(name)
        elif "Default" in spec:
            value = spec["Default"]
        else:
            raise TemplateError(
                f"parameter {name!r} has no Default; pass it in parameter_overrides"
            )
        ptype = str(spec.get("Type", "String"))
        if ptype in ("CommaDelimitedList",) or ptype.startswith("List<"):
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",")] if value else []
        elif ptype == "Number":
            value = str(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif value is not None and not isinstance(value, (str, list)):
            value = str(value)
        allowed = spec.get("AllowedValues")
        if allowed and isinstance(value, str) and value not in [str(a) for a in allowed]:
            raise TemplateError(f"parameter {name}={value!r} not in AllowedValues {allowed}")
        params[name] = value
    for name in overrides:
        raise TemplateError(f"parameter override {name!r} is not a template parameter")
    return params


def load_model(
    template_path: str,
    parameter_overrides: dict[str, Any] | None = None,
    moto_url: str = "http://127.0.0.1:5000",
    stack_name: str = "accord-local",
) -> Model:
    template_path = os.path.abspath(template_path)
    base_dir = os.path.dirname(template_path)
    tpl = load_yaml(template_path)
    params = parameter_values(tpl, parameter_overrides)
    r = Resolver(tpl, params, stack_name, moto_url, base_dir)
    resources: dict[str, dict] = tpl.get("Resources") or {}
    glob = tpl.get("Globals") or {}
    glob_fn = glob.get("Function") or {}
    glob_api = glob.get("Api") or {}

    def active(logical_id: str, res: dict) -> bool:
        cond = res.get("Condition")
        return True if cond is None else r.condition(cond)

    # Layers
    layers: dict[str, Layer] = {}
    for lid, res in resources.items():
        if res.get("Type") not in ("AWS::Serverless::LayerVersion",) or not active(lid, res):
            continue
        props = res.get("Properties") or {}
        content = r.resolve(props.get("ContentUri"))
        if not isinstance(content, str):
            r.warnings.append(f"layer {lid}: ContentUri is not a local directory; ignored")
            continue
        cdir = os.path.normpath(os.path.join(base_dir, content))
        build_method = ((res.get("Metadata") or {}).get("BuildMethod")) or ""
        if not build_method and os.path.isdir(os.path.join(cdir, "python")):
            cdir = os.path.join(cdir, "python")  # pre-built layer layout
        layers[lid] = Layer(lid, cdir)
    layer_by_arn = {layer.arn: layer for layer in layers.values()}

    # Tables
    tables: dict[str, Table] = {}
    for lid, res in resources.items():
        if res.get("Type") != "AWS::DynamoDB::Table" or not active(lid, res):
            continue
        props = r.resolve(res.get("Properties") or {})
        name = r.table_name(lid)
        billing = props.get("BillingMode", "PROVISIONED")
        args: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": billing,
        }
        default_tp = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        if billing != "PAY_PER_REQUEST":
            tp = props.get("ProvisionedThroughput") or default_tp
            args["ProvisionedThroughput"] = {k: int(v) for k, v in tp.items()}
        for idx_key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            idxs = []
            for idx in props.get(idx_key) or []:
                idx = {
                    k: v
                    for k, v in idx.items()
                    if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
                }
                if idx_key == "GlobalSecondaryIndexes" and billing != "PAY_PER_REQUEST":
                    tp = idx.get("ProvisionedThroughput") or default_tp
                    idx["ProvisionedThroughput"] = {k: int(v) for k, v in tp.items()}
                elif "ProvisionedThroughput" in idx:
                    del idx["ProvisionedThroughput"]
                idxs.append(idx)
            if idxs:
                args[idx_key] = idxs
        stream = props.get("StreamSpecification")
        if stream:
            args["StreamSpecification"] = {"StreamEnabled": True, **stream}
        ttl = props.get("TimeToLiveSpecification") or {}
        ttl_attr = ttl.get("AttributeName") if str(ttl.get("Enabled")).lower() == "true" else None
        tables[lid] = Table(lid, name, args, ttl_attr)

    # Queues
    queues: dict[str, Queue] = {}
    queue_by_arn: dict[str, str] = {}
    for lid, res in resources.items():
        if res.get("Type") != "AWS::SQS::Queue" or not active(lid, res):
            continue
        props = r.resolve(res.get("Properties") or {})
        name = r.queue_name(lid)
        attrs: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "FifoQueue",
            "ContentBasedDeduplication",
            "DeduplicationScope",
            "FifoThroughputLimit",
        ):
            if key in props:
                attrs[key] = _cfn_str(props[key])
        q = Queue(lid, name, attrs)
        redrive = props.get("RedrivePolicy")
        if isinstance(redrive, str):
            redrive = json.loads(redrive)
        if redrive:
            q.max_receive_count = int(redrive.get("maxReceiveCount", 10))
            q.dlq_id = str(redrive.get("deadLetterTargetArn"))  # mapped to a logical id below
        queues[lid] = q
        queue_by_arn[q.arn] = lid
    for q in queues.values():
        if q.dlq_id:
            arn = q.dlq_id
            if arn not in queue_by_arn:
                raise TemplateError(f"queue {q.logical_id}: DLQ {arn} is not in the template")
            q.dlq_id = queue_by_arn[arn]
            q.attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": q.max_receive_count}
            )

    # Functions
    functions: dict[str, Function] = {}
    function_by_arn: dict[str, str] = {}
    function_props: dict[str, dict] = {}
    for lid, res in resources.items():
        if res.get("Type") != "AWS::Serverless::Function" or not active(lid, res):
            continue
        props = _merge_globals(glob_fn, res.get("Properties") or {})
        function_props[lid] = props
        code = r.resolve(props.get("CodeUri"))
        inline = props.get("InlineCode")
        if inline is not None:
            raise TemplateError(f"function {lid}: InlineCode is not supported locally")
        if not isinstance(code, str):
            raise TemplateError(f"function {lid}: CodeUri must be a local directory")
        code_dir = os.path.normpath(os.path.join(base_dir, code))
        env_vars = r.resolve((props.get("Environment") or {}).get("Variables") or {})
        environment = {str(k): _cfn_str(v) for k, v in env_vars.items()}
        layer_dirs: list[str] = []
        for layer_ref in r.resolve(props.get("Layers") or []):
            layer = layer_by_arn.get(str(layer_ref))
            if layer is None:
                r.warnings.append(
                    f"function {lid}: layer {layer_ref} is not local; relying on the venv"
                )
                continue
            layer_dirs.append(layer.content_dir)
        fn = Function(
            logical_id=lid,
            name=r.function_name(lid),
            code_dir=code_dir,
            handler=str(r.resolve(props.get("Handler") or "app.lambda_handler")),
            runtime=str(r.resolve(props.get("Runtime") or "python3.12")),
            timeout=float(r.resolve(props.get("Timeout", 3))),
            memory=_int(r.resolve(props.get("MemorySize")), 128),
            layer_dirs=layer_dirs,
            environment=environment,
        )
        functions[lid] = fn
        function_by_arn[fn.arn] = lid

    # APIs (explicit)
    apis: dict[str, Api] = {}

    def build_api(lid: str, props: dict) -> Api:
        props = r.resolve(_merge_globals(glob_api, props))
        auth = props.get("Auth") or {}
        authorizers: dict[str, Authorizer] = {}
        for aname, a in (auth.get("Authorizers") or {}).items():
            fn_arn = a.get("FunctionArn")
            fid = function_by_arn.get(str(fn_arn))
            if fid is None:
                raise TemplateError(f"API {lid}: authorizer {aname}: {fn_arn} is not a function here")
            identity = a.get("Identity") or {}
            payload = str(a.get("FunctionPayloadType", "TOKEN")).upper()
            authorizers[aname] = Authorizer(
                name=aname,
                function_id=fid,
                payload_type=payload,
                identity_headers=list(identity.get("Headers") or []),
                identity_querystrings=list(identity.get("QueryStrings") or []),
                ttl=_int(identity.get("ReauthorizeEvery"), 300),
                token_header=str(identity.get("Header") or "Authorization"),
            )
        responses: dict[str, GatewayResponse] = {}
        for rtype, spec in (props.get("GatewayResponses") or {}).items():
            spec = spec or {}
            rp = spec.get("ResponseParameters") or {}
            responses[str(rtype)] = GatewayResponse(
                status=_int(spec.get("StatusCode"), 0) or None,
                templates={str(k): str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
                headers={str(k): str(v) for k, v in (rp.get("Headers") or {}).items()},
            )
        default = auth.get("DefaultAuthorizer")
        if default and default not in authorizers and default != "AWS_IAM":
            raise TemplateError(f"API {lid}: DefaultAuthorizer {default} is not declared")
        cors = props.get("Cors")
        if isinstance(cors, str):
            cors = {"AllowOrigin": cors}
        return Api(
            logical_id=lid,
            stage=_cfn_str(props.get("StageName", "Prod")),
            default_authorizer=default if default in authorizers else None,
            authorizers=authorizers,
            gateway_responses=responses,
            binary_media_types=[str(t).replace("~1", "/") for t in props.get("BinaryMediaTypes") or []],
            cors=cors,
        )

    for lid, res in resources.items():
        if res.get("Type") == "AWS::Serverless::Api" and active(lid, res):
            apis[lid] = build_api(lid, res.get("Properties") or {})

    # Events
    for lid, fn in functions.items():
        events = function_props[lid].get("Events") or {}
        for ename, ev in events.items():
            etype = ev.get("Type")
            eprops = r.resolve(ev.get("Properties") or {})
            if etype == "Api":
                api_id = eprops.get("RestApiId") or "ServerlessRestApi"
                if api_id not in apis:
                    if api_id == "ServerlessRestApi":
                        apis[api_id] = build_api(api_id, {"StageName": "Prod"})
                    else:
                        raise TemplateError(f"{lid}.{ename}: RestApiId {api_id} is not an API here")
                method = str(eprops.get("Method", "ANY")).upper()
                if method == "ANY" or method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                    method = "ANY"
                auth = (eprops.get("Auth") or {}).get("Authorizer")
                path = str(eprops["Path"])
                fn.api_events.append(ApiEvent(api_id, path, method, auth))
                api = apis[api_id]
                if auth == "NONE":
                    authorizer = None
                elif auth is None:
                    authorizer = api.default_authorizer
                elif auth in api.authorizers:
                    authorizer = auth
                elif auth == "AWS_IAM":
                    r.warnings.append(f"{lid}.{ename}: AWS_IAM auth is not enforced locally")
                    authorizer = None
                else:
                    raise TemplateError(f"{lid}.{ename}: unknown authorizer {auth}")
                api.routes.append(
                    Route(api_id, path, method, lid, authorizer, split_path(path))
                )
            elif etype == "SQS":
                qid = queue_by_arn.get(str(eprops.get("Queue")))
                if qid is None:
                    raise TemplateError(f"{lid}.{ename}: queue {eprops.get('Queue')} is not here")
                types = eprops.get("FunctionResponseTypes") or []
                fn.sqs_events.append(
                    SqsEvent(
                        name=ename,
                        queue_id=qid,
                        batch_size=_int(eprops.get("BatchSize"), 10),
                        report_batch_item_failures="ReportBatchItemFailures" in types,
                        enabled=str(eprops.get("Enabled", True)).lower() != "false",
                        batching_window=float(eprops.get("MaximumBatchingWindowInSeconds") or 0),
                    )
                )
            else:
                r.warnings.append(f"{lid}.{ename}: event type {etype} is not emulated locally")

    # Routing rules (applied locally whatever their Condition: they describe the custom domain)
    rules: list[RoutingRule] = []
    for lid, res in resources.items():
        if res.get("Type") != "AWS::ApiGatewayV2::RoutingRule":
            continue
        props = r.resolve(res.get("Properties") or {})
        base_paths: list[list[str]] | None = None
        header_conds: list[list[tuple[str, str]]] = []
        for cond in props.get("Conditions") or []:
            if "MatchBasePaths" in cond:
                any_of = (cond["MatchBasePaths"] or {}).get("AnyOf") or []
                base_paths = (base_paths or []) + [list(split_path(str(p))) for p in any_of]
            if "MatchHeaders" in cond:
                any_of = (cond["MatchHeaders"] or {}).get("AnyOf") or []
                header_conds.append([(str(h["Header"]), str(h["ValueGlob"])) for h in any_of])
        for action in props.get("Actions") or []:
            invoke = action.get("InvokeApi") or {}
            api_id = str(invoke.get("ApiId"))
            if api_id not in apis:
                raise TemplateError(f"routing rule {lid}: ApiId {api_id} is not an API here")
            strip = str(invoke.get("StripBasePath", False)).lower() == "true"
            rules.append(
                RoutingRule(
                    logical_id=lid,
                    priority=_int(props.get("Priority"), 1_000_000),
                    base_paths=base_paths,
                    header_conditions=header_conds,
                    api_id=api_id,
                    stage=_cfn_str(invoke.get("Stage")) or None,
                    strip_base_path=strip,
                )
            )
    rules.sort(key=lambda rule: rule.priority)

    return Model(
        path=template_path,
        parameters=params,
        functions=functions,
        apis=apis,
        routing_rules=rules,
        tables=tables,
        queues=queues,
        layers=layers,
        warnings=r.warnings,
    )
