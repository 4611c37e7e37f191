"""Intrinsic functions (Ref, GetAtt, Sub, If, Join, ...) resolved against parameters, conditions
and the physical ids things get locally."""

from __future__ import annotations

import json
import re
from typing import Any

from .model import ACCOUNT_ID, PARTITION, REGION, TemplateError

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
                return cfn_str(a) == cfn_str(b)
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
        if rtype == "AWS::Events::EventBus":
            return self.bus_name(name)
        if rtype is not None:
            return name  # APIs (api id = logical id), roles, ...
        # SAM implicit resources: <Api>.Stage, <Api><Stage>Stage, <Function>Role, ServerlessRestApi
        if name.endswith(".Stage") and self.resource_type(name[: -len(".Stage")]):
            return self.api_stage(name[: -len(".Stage")])
        if name == "ServerlessRestApi":
            return name
        self.warnings.append(f"unresolved Ref {name!r} (kept as its name)")
        return name

    def bus_name(self, logical_id: str) -> str:
        configured = self.props(logical_id).get("Name")
        return str(self.resolve(configured)) if configured is not None else logical_id

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
        elif rtype == "AWS::Events::EventBus":
            if attr in ("Arn", "Name"):
                name = self.bus_name(logical_id)
                return name if attr == "Name" else f"arn:{PARTITION}:events:{REGION}:{ACCOUNT_ID}:event-bus/{name}"
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
            return str(delim).join(cfn_str(i) for i in items)
        if key == "Fn::Select":
            idx, items = self._resolve(arg[0]), self._resolve(arg[1])
            return items[int(idx)]
        if key == "Fn::Split":
            delim, text = arg
            return str(self._resolve(text)).split(delim)
        if key == "Fn::Equals":
            a, b = (self._resolve(v) for v in arg)
            return cfn_str(a) == cfn_str(b)
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
                return cfn_str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                logical, attr = expr.split(".", 1)
                if self.resource_type(logical) or logical == "ServerlessRestApi":
                    if attr == "Stage":
                        return self.api_stage(logical)
                    return cfn_str(self.get_att(logical, attr))
            return cfn_str(self.ref(expr))

        return _SUB_RE.sub(repl, text)


def cfn_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is _NO_VALUE:
        return ""
    return str(value)
