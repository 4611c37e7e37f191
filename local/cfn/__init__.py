"""CloudFormation/SAM template reading for the local runtime, by concern: `loader` (YAML with the
short-form tags), `intrinsics` (Ref, Sub, If, ... against parameters and conditions), `model` (what
the runtime serves), `build` (template -> model: Globals, conditions, physical names)."""

from .build import load_model, parameter_values, split_path
from .loader import CfnLoader, load_yaml
from .model import (
                    ACCOUNT_ID,
                    PARTITION,
                    REGION,
                    Api,
                    ApiEvent,
                    Authorizer,
                    Function,
                    GatewayResponse,
                    Layer,
                    Model,
                    Queue,
                    Route,
                    RoutingRule,
                    EventBus,
                    EventRule,
                    ScheduleEvent,
                    SqsEvent,
                    StreamEvent,
                    Table,
                    TemplateError,
)

__all__ = ["ACCOUNT_ID", "PARTITION", "REGION", "Api", "ApiEvent", "Authorizer", "CfnLoader", "Function",
           "GatewayResponse", "Layer", "Model", "Queue", "Route", "RoutingRule", "SqsEvent", "StreamEvent", "ScheduleEvent", "EventBus", "EventRule", "Table",
           "TemplateError", "load_model", "load_yaml", "parameter_values", "split_path"]
