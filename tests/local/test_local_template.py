"""Template reading: short-form tags, parameters, conditions, Globals, intrinsics, the model."""

import json
import os

import pytest
import yaml

from local.cfn import CfnLoader, TemplateError, load_model

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
TEMPLATE = os.path.join(FIXTURES, "template.yaml")
MOTO = "http://127.0.0.1:4566"


def model(**overrides):
    return load_model(TEMPLATE, overrides or None, moto_url=MOTO)


def test_short_form_tags_become_long_forms():
    doc = yaml.load(
        """
a: !Ref X
b: !GetAtt Y.Arn
c: !Sub "${X}-${Y.Arn}"
d: !If [Cond, !Ref A, !Ref "AWS::NoValue"]
e: !Join ["", [a, !Ref B]]
f: !Select [0, !Split [",", "p,q"]]
g: !Not [!Equals [!Ref P, ""]]
h: !FindInMap [M, K, V]
i: !ImportValue Exported
j: !GetAtt [Z, QueueName]
k: !And [!Condition C1, !Or [!Condition C2, !Condition C3]]
""",
        Loader=CfnLoader,
    )
    assert doc["a"] == {"Ref": "X"}
    assert doc["b"] == {"Fn::GetAtt": ["Y", "Arn"]}
    assert doc["c"] == {"Fn::Sub": "${X}-${Y.Arn}"}
    assert doc["d"] == {"Fn::If": ["Cond", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]}
    assert doc["e"] == {"Fn::Join": ["", ["a", {"Ref": "B"}]]}
    assert doc["f"] == {"Fn::Select": [0, {"Fn::Split": [",", "p,q"]}]}
    assert doc["g"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]}
    assert doc["h"] == {"Fn::FindInMap": ["M", "K", "V"]}
    assert doc["i"] == {"Fn::ImportValue": "Exported"}
    assert doc["j"] == {"Fn::GetAtt": ["Z", "QueueName"]}
    assert doc["k"] == {"Fn::And": [{"Condition": "C1"}, {"Fn::Or": [{"Condition": "C2"}, {"Condition": "C3"}]}]}


def test_function_environment_intrinsics_and_globals():
    m = model()
    env = m.functions["EchoFunction"].environment
    assert env["GLOBAL_VAR"] == "from-globals"  # Globals merged in
    assert env["OVERRIDDEN"] == "function"  # the function wins over Globals
    assert env["ITEMS_TABLE"] == "ItemsTable"  # Ref table -> its name (= logical id)
    assert env["NAMED_TABLE"] == "accord-local-named"  # TableName via !Sub ${AWS::StackName}
    assert env["QUEUE_URL"] == f"{MOTO}/123456789012/JobsQueue"  # Ref queue -> URL
    assert env["QUEUE_NAME"] == "JobsQueue"
    assert env["DLQ_ARN"] == "arn:aws:sqs:us-east-1:123456789012:JobsDLQ"
    assert env["JOINED"] == "a-v1-us-east-1"
    assert env["SUBBED"] == "ItemsTable@123456789012/x/${NotResolved}"
    assert "CHOSEN" not in env  # !If -> AWS::NoValue drops the key
    assert env["CHOSEN2"] == "plain"
    assert env["SELECTED"] == "y"
    assert m.functions["AuthorizerFunction"].environment["OVERRIDDEN"] == "globals"
    assert m.warnings == []


def test_parameter_overrides_drive_conditions_and_mappings():
    m = model(Flavour="chocolate", StageName="prod")
    assert m.functions["EchoFunction"].environment["CHOSEN"] == "chocolate"
    assert m.functions["EchoFunction"].memory == 512  # !FindInMap in Globals
    assert "SkippedTable" in m.tables  # Condition IsChocolate now true
    assert {a.stage for a in m.apis.values()} == {"prod"}
    base = model()
    assert base.functions["EchoFunction"].memory == 256
    assert "SkippedTable" not in base.tables


def test_bad_parameters_are_rejected():
    with pytest.raises(TemplateError, match="not a template parameter"):
        model(NoSuchParameter="x")
    with pytest.raises(TemplateError, match="AllowedValues"):
        model(Flavour="strawberry")


def test_functions_code_layers_timeout():
    m = model()
    fn = m.functions["CrashFunction"]
    assert fn.code_dir == os.path.join(FIXTURES, "functions", "crash")
    assert fn.layer_dirs == [os.path.join(FIXTURES, "layer")]
    assert fn.timeout == 1.0  # function overrides Globals' 5
    assert m.functions["EchoFunction"].timeout == 5.0
    assert fn.handler == "app.lambda_handler"
    jobs = m.functions["JobsFunction"].sqs_events[0]
    assert (jobs.queue_id, jobs.batch_size, jobs.report_batch_item_failures) == ("JobsQueue", 5, True)


def test_apis_routes_authorizers():
    m = model()
    alpha, beta, root = m.apis["AlphaApi"], m.apis["BetaApi"], m.apis["RootApi"]
    assert alpha.default_authorizer == "KeyAuthorizer"
    assert alpha.authorizers["KeyAuthorizer"].function_id == "AuthorizerFunction"
    assert alpha.authorizers["KeyAuthorizer"].ttl == 0
    assert beta.authorizers["CachedAuthorizer"].ttl == 300
    assert beta.authorizers["CachedAuthorizer"].identity_headers == ["X-Key"]
    routes = {(r.path, r.method): r.authorizer for r in alpha.routes}
    assert routes[("/api/v1/items/{item_id}", "GET")] == "KeyAuthorizer"
    assert routes[("/api/v1/open", "GET")] is None  # Auth: {Authorizer: NONE}
    assert {(r.path, r.method) for r in root.routes} >= {("/health", "GET"), ("/echo", "ANY")}
    assert alpha.gateway_responses["UNAUTHORIZED"].status == 401
    assert alpha.gateway_responses["UNAUTHORIZED"].headers == {"WWW-Authenticate": "'Bearer'"}
    assert root.binary_media_types == ["application/octet-stream"]


def test_routing_rules_apply_whatever_their_condition_and_sort_by_priority():
    m = model()  # DomainName is empty, so HasDomain is false: rules still describe the routing
    assert [(r.logical_id, r.priority, r.api_id) for r in m.routing_rules] == [
        ("AlphaRule", 10, "AlphaApi"),
        ("BetaRule", 20, "BetaApi"),
        ("RootRule", 1000, "RootApi"),
    ]
    assert m.routing_rules[0].base_paths == [["api", "v1"]]
    assert m.routing_rules[2].base_paths is None  # no conditions: catch-all
    assert m.routing_rules[0].stage == "v1"  # !Ref AlphaApi.Stage


def test_tables_and_queues():
    m = model()
    items = m.tables["ItemsTable"]
    assert items.create_args["BillingMode"] == "PAY_PER_REQUEST"
    assert items.create_args["GlobalSecondaryIndexes"][0]["IndexName"] == "by-kind"
    assert "ProvisionedThroughput" not in items.create_args
    assert items.ttl_attribute == "expires_at"
    assert m.tables["NamedTable"].create_args["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 1,
        "WriteCapacityUnits": 1,
    }
    assert [q.logical_id for q in m.queues_in_creation_order()] == ["JobsDLQ", "JobsQueue"]
    jobs = m.queues["JobsQueue"]
    assert jobs.dlq_id == "JobsDLQ" and jobs.max_receive_count == 2
    assert json.loads(jobs.attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:JobsDLQ",
        "maxReceiveCount": 2,
    }
    assert jobs.attributes["VisibilityTimeout"] == "30"


def test_unknown_redrive_target_is_an_error(tmp_path):
    (tmp_path / "t.yaml").write_text(
        """
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:Elsewhere", maxReceiveCount: 3}
"""
    )
    with pytest.raises(TemplateError, match="DLQ"):
        load_model(str(tmp_path / "t.yaml"))
