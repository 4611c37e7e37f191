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
from typing import Any

from .intrinsics import Resolver, cfn_str
from .loader import load_yaml
from .model import (
    Api,
    ApiEvent,
    Authorizer,
    Bucket,
    EventBus,
    EventRule,
    ScheduleEvent,
    StreamEvent,
    Function,
    GatewayResponse,
    Layer,
    Model,
    Queue,
    Route,
    RoutingRule,
    SqsEvent,
    Table,
    TemplateError,
)

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


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400,
               "second": 1, "seconds": 1}


def rate_seconds(expression: str) -> float | None:
    """`rate(5 minutes)` -> 300; None for cron() and anything else."""
    expression = expression.strip()
    if not (expression.startswith("rate(") and expression.endswith(")")):
        return None
    parts = expression[5:-1].split()
    if len(parts) != 2 or parts[1] not in _RATE_UNITS:
        return None
    try:
        return float(parts[0]) * _RATE_UNITS[parts[1]]
    except ValueError:
        return None


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

    # Buckets (emulated by moto S3; objects do not survive a restart: see local/README.md)
    buckets = {lid: Bucket(lid, r.bucket_name(lid)) for lid, res in resources.items()
               if res.get("Type") == "AWS::S3::Bucket" and active(lid, res)}

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
                attrs[key] = cfn_str(props[key])
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
        environment = {str(k): cfn_str(v) for k, v in env_vars.items()}
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
            stage=cfn_str(props.get("StageName", "Prod")),
            default_authorizer=default if default in authorizers else None,
            authorizers=authorizers,
            gateway_responses=responses,
            binary_media_types=[str(t).replace("~1", "/") for t in props.get("BinaryMediaTypes") or []],
            cors=cors,
            minimum_compression_size=(None if props.get("MinimumCompressionSize") is None
                                      else _int(props.get("MinimumCompressionSize"), 0)),
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
                        max_concurrency=_int((eprops.get("ScalingConfig") or {}).get("MaximumConcurrency"), 1),
                    )
                )
            elif etype == "DynamoDB":
                stream = str(eprops.get("Stream") or "")
                table_id = next((tid for tid, t in tables.items() if stream.startswith(t.arn + "/stream/")), None)
                if table_id is None:
                    raise TemplateError(f"{lid}.{ename}: stream {stream} is not a table's stream here")
                filters = []
                for f in ((eprops.get("FilterCriteria") or {}).get("Filters") or []):
                    pattern = f.get("Pattern")
                    filters.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
                fn.stream_events.append(StreamEvent(
                    name=ename, table_id=table_id, batch_size=_int(eprops.get("BatchSize"), 100),
                    starting_position=str(eprops.get("StartingPosition") or "TRIM_HORIZON"), filters=filters,
                    enabled=str(eprops.get("Enabled", True)).lower() != "false"))
            elif etype in ("Schedule", "ScheduleV2"):
                expression = str(eprops.get("ScheduleExpression") or eprops.get("Schedule") or "")
                seconds = rate_seconds(expression)
                if seconds is None:
                    r.warnings.append(f"{lid}.{ename}: only rate() schedules are emulated locally ({expression})")
                state = str(eprops.get("State") or ("ENABLED" if eprops.get("Enabled", True) else "DISABLED"))
                fn.schedule_events.append(ScheduleEvent(ename, expression, seconds,
                                                        enabled=state.upper() == "ENABLED"))
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
                    stage=cfn_str(invoke.get("Stage")) or None,
                    strip_base_path=strip,
                )
            )
    rules.sort(key=lambda rule: rule.priority)

    # EventBridge buses and rules (moto's events service emulates them)
    buses: dict[str, EventBus] = {}
    event_rules: dict[str, EventRule] = {}
    for lid, res in resources.items():
        if res.get("Type") == "AWS::Events::EventBus" and active(lid, res):
            buses[lid] = EventBus(lid, r.bus_name(lid))
    for lid, res in resources.items():
        if res.get("Type") == "AWS::Events::Rule" and active(lid, res):
            props = r.resolve(res.get("Properties") or {})
            pattern = props.get("EventPattern")
            event_rules[lid] = EventRule(lid, str(props.get("Name") or lid), str(props.get("EventBusName") or "default"),
                                         json.loads(pattern) if isinstance(pattern, str) else pattern,
                                         list(props.get("Targets") or []))

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
        buckets=buckets,
        buses=buses,
        rules=event_rules,
    )
