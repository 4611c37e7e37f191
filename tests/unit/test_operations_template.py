"""Operations in template.yaml: every place data can stall has an alarm, every alarm a runbook
section, every custom metric a definition in accord.metrics, the dashboard parses.

A function, queue, table, schedule or API added without its alarm fails here, naming what to add
(docs/OPERATIONS.md, "Adding a function, queue or table")."""
import json
import re
from pathlib import Path

import pytest

from accord import metrics
from local.cfn import load_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_yaml(str(ROOT / "template.yaml"))
RESOURCES = TEMPLATE["Resources"]
RUNBOOK = (ROOT / "docs" / "RUNBOOK.md").read_text(encoding="utf-8")


def _of_type(kind: str) -> dict:
    return {lid: r for lid, r in RESOURCES.items() if r["Type"] == kind}


ALARMS = _of_type("AWS::CloudWatch::Alarm")
FUNCTIONS = _of_type("AWS::Serverless::Function")
QUEUES = _of_type("AWS::SQS::Queue")
TABLES = _of_type("AWS::DynamoDB::Table")
APIS = _of_type("AWS::Serverless::Api")


def _metric_stats(alarm: dict):
    """(namespace, metric name, {dimension: value}) of every metric an alarm reads."""
    p = alarm["Properties"]
    if "MetricName" in p:
        yield p["Namespace"], p["MetricName"], {d["Name"]: d["Value"] for d in p.get("Dimensions", [])}
    for m in p.get("Metrics", []):
        if "MetricStat" in m:
            metric = m["MetricStat"]["Metric"]
            yield metric["Namespace"], metric["MetricName"], {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}


def _alarms_on(namespace: str, metric: str, **dims) -> list[str]:
    return [lid for lid, a in ALARMS.items()
            if any(ns == namespace and name == metric and all(d.get(k) == v for k, v in dims.items())
                   for ns, name, d in _metric_stats(a))]


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


SECTIONS = {}
for _match in re.finditer(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", RUNBOOK, re.M | re.S):
    SECTIONS[_slug(_match.group(1))] = _match.group(2)


def _dlqs() -> set:
    """Queues that hold failures: redrive targets, and event source mappings' on-failure destinations."""
    dlqs = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            for q in QUEUES.values() if "RedrivePolicy" in q["Properties"]}
    for f in FUNCTIONS.values():
        for e in (f["Properties"].get("Events") or {}).values():
            dest = (((e.get("Properties") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            if isinstance(dest, dict) and "Fn::GetAtt" in dest:
                dlqs.add(dest["Fn::GetAtt"][0])
    return dlqs


def test_every_dead_letter_queue_has_an_alarm_on_any_message():
    dlqs = _dlqs()
    assert dlqs, "the reports queue has a DLQ"
    for dlq in dlqs:
        found = _alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", QueueName={"Fn::GetAtt": [dlq, "QueueName"]})
        assert found, f"add an alarm on {dlq}'s ApproximateNumberOfMessagesVisible (copy ReportsDLQMessagesAlarm)"
        p = ALARMS[found[0]]["Properties"]
        assert (p["Threshold"], p["ComparisonOperator"], p["Statistic"]) == (1, "GreaterThanOrEqualToThreshold", "Maximum")


def test_every_queue_that_is_consumed_has_a_backlog_alarm():
    dlqs = _dlqs()
    for queue in set(QUEUES) - dlqs:
        assert _alarms_on("AWS/SQS", "ApproximateAgeOfOldestMessage", QueueName={"Fn::GetAtt": [queue, "QueueName"]}), \
            f"add an alarm on {queue}'s ApproximateAgeOfOldestMessage (copy ReportsQueueAgeAlarm)"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_an_error_and_throttle_rate_alarm(function):
    ref = {"Ref": function}
    found = set(_alarms_on("AWS/Lambda", "Errors", FunctionName=ref)) & set(
        _alarms_on("AWS/Lambda", "Throttles", FunctionName=ref)) & set(_alarms_on("AWS/Lambda", "Invocations", FunctionName=ref))
    assert found, f"add {function}FailingAlarm (copy TeamsFunctionFailingAlarm)"
    (alarm,) = found
    expression = next(m["Expression"] for m in ALARMS[alarm]["Properties"]["Metrics"] if "Expression" in m)
    assert "/" in expression and "errors" in expression and "throttles" in expression  # a rate, not a count


def _schedule_minutes(function: dict) -> int | None:
    for event in (function["Properties"].get("Events") or {}).values():
        if event["Type"] in ("Schedule", "ScheduleV2"):
            expr = event["Properties"]["ScheduleExpression"]
            m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", expr)
            assert m, f"teach this test the schedule {expr!r}"
            return int(m.group(1)) * (60 if m.group(2).startswith("hour") else 1)
    return None


def test_every_scheduled_function_has_an_alarm_when_it_stops_running():
    scheduled = {lid: _schedule_minutes(f) for lid, f in FUNCTIONS.items() if _schedule_minutes(f)}
    assert scheduled, "ExpiryFunction is scheduled"
    for function, minutes in scheduled.items():
        found = [a for a in _alarms_on("AWS/Lambda", "Invocations", FunctionName={"Ref": function})
                 if ALARMS[a]["Properties"].get("ComparisonOperator") == "LessThanThreshold"]
        assert found, f"add {function}StoppedAlarm (copy ExpiryFunctionStoppedAlarm)"
        p = ALARMS[found[0]]["Properties"]
        assert p["TreatMissingData"] == "breaching"      # no data at all is exactly "it stopped"
        assert p["Period"] >= 2 * minutes * 60           # never alarms between two normal runs


def test_every_table_has_a_throttle_alarm():
    for table in TABLES:
        assert _alarms_on("AWS/DynamoDB", "WriteThrottleEvents", TableName={"Ref": table}) and \
            _alarms_on("AWS/DynamoDB", "ReadThrottleEvents", TableName={"Ref": table}), \
            f"add {table}ThrottlesAlarm (copy AccordTableThrottlesAlarm)"


def test_every_api_has_a_5xx_rate_alarm():
    for api, resource in APIS.items():
        name = resource["Properties"]["Name"]  # what CloudWatch calls ApiName
        found = _alarms_on("AWS/ApiGateway", "5XXError", ApiName=name)
        assert found and _alarms_on("AWS/ApiGateway", "Count", ApiName=name), \
            f"add {api}ServerErrorsAlarm (copy RegistryApiServerErrorsAlarm)"


def test_api_gateway_throttling_and_webhook_endpoints_have_alarms():
    assert _alarms_on("Accord", "GatewayThrottled")
    assert _alarms_on("Accord", "WebhookEndpointsDisabled")


@pytest.mark.parametrize("alarm", sorted(ALARMS))
def test_every_alarm_notifies_the_topic_and_names_an_existing_runbook_section(alarm):
    p = ALARMS[alarm]["Properties"]
    assert p["AlarmActions"] == [{"Ref": "AlarmTopic"}] and p["OKActions"] == [{"Ref": "AlarmTopic"}]
    assert p["TreatMissingData"] in ("notBreaching", "breaching")
    assert p["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-")  # found by the stack's name
    m = re.search(r"Runbook: docs/RUNBOOK\.md#([a-z0-9-]+)", p["AlarmDescription"])
    assert m, f"{alarm}: its description must say 'Runbook: docs/RUNBOOK.md#<section>'"
    section = SECTIONS.get(m.group(1))
    assert section is not None, f"{alarm}: docs/RUNBOOK.md has no section #{m.group(1)}"
    # the section speaks of what this alarm watches, by its logical id (or the alarm's own)
    watched = {v["Ref"] if "Ref" in v else v["Fn::GetAtt"][0] for _, _, dims in _metric_stats(ALARMS[alarm])
               for v in dims.values() if isinstance(v, dict) and ("Ref" in v or "Fn::GetAtt" in v)} & set(RESOURCES)
    watched |= {re.sub(r"ServerErrorsAlarm$", "", alarm)} if alarm.endswith("ServerErrorsAlarm") else set()
    for lid in watched or {alarm}:
        assert lid in section, f"docs/RUNBOOK.md#{m.group(1)} does not mention {lid}"
    for heading in ("**Look.**", "**Repair.**", "**Verify.**"):
        assert heading in section, f"docs/RUNBOOK.md#{m.group(1)} lacks {heading}"


def _accord_metrics_in_dashboard() -> list[tuple[str, list[str]]]:
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    doc = json.loads(re.sub(r"\$\{[^}]+\}", "X", body))
    found = []
    for widget in doc["widgets"]:
        assert widget["type"] in ("metric", "text")
        if widget["type"] == "metric":
            assert widget["properties"]["title"] and widget["properties"]["metrics"]
            for m in widget["properties"]["metrics"]:
                expr = m[0]["expression"] if isinstance(m[0], dict) else ""
                s = re.match(r"SEARCH\('\{Accord,([^}]*)\} MetricName=\"(\w+)\"", expr)
                if s:
                    found.append((s.group(2), s.group(1).split(",")))
    return found


def _filter_metrics() -> dict[str, list[str]]:
    out = {}
    for r in _of_type("AWS::Logs::MetricFilter").values():
        for t in r["Properties"]["MetricTransformations"]:
            out[t["MetricName"]] = [d["Key"] for d in t.get("Dimensions", [])]
    return out


def test_custom_metrics_of_alarms_and_dashboard_are_declared_with_their_dimensions():
    declared = {name: sorted([*dims, "service"]) for name, (_, dims) in metrics.CATALOG.items()}
    declared.update({name: sorted(dims) for name, dims in _filter_metrics().items()})
    for lid, alarm in ALARMS.items():
        for ns, name, dims in _metric_stats(alarm):
            if ns == "Accord":
                assert name in declared, f"{lid}: {name} is neither in accord.metrics.CATALOG nor a metric filter"
                assert sorted(dims) == declared[name], f"{lid}: {name} has dimensions {declared[name]}"
    seen = _accord_metrics_in_dashboard()
    assert {name for name, _ in seen} >= set(metrics.CATALOG), "every catalog metric has a dashboard widget"
    for name, dims in seen:
        assert name in declared and sorted(dims) == declared[name], (name, dims)


def test_the_dashboard_shows_the_golden_signals_and_every_pipeline():
    body = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    titles = [w["properties"].get("title", "") for w in json.loads(re.sub(r"\$\{[^}]+\}", "X", body))["widgets"]]
    for words in ("Requests by family", "5xx", "Latency p99", "Queues: age", "DLQs", "Report events",
                  "Webhook deliveries", "Import jobs", "Lambda errors", "DynamoDB throttles"):
        assert any(words in t for t in titles), words


def test_logs_tracing_and_metrics_follow_the_parameters():
    glob = TEMPLATE["Globals"]["Function"]
    assert glob["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogs"}}
    assert RESOURCES["FunctionLogs"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert RESOURCES["ApiAccessLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert not any("LoggingConfig" in f["Properties"] for f in FUNCTIONS.values()), "one log group for every function"
    assert glob["Tracing"] == {"Fn::If": ["TracingOn", "Active", "PassThrough"]}
    assert TEMPLATE["Globals"]["Api"]["TracingEnabled"] == {"Fn::If": ["TracingOn", True, False]}
    assert TEMPLATE["Parameters"]["Tracing"]["Default"] == "Disabled"
    env = glob["Environment"]["Variables"]
    assert env["ACCORD_TRACING"] == {"Ref": "Tracing"} and env["ACCORD_ROUTE_METRICS"] == {"Ref": "DetailedMetrics"}
    assert env["POWERTOOLS_SERVICE_NAME"] == {"Ref": "AWS::StackName"}  # the alarms' `service` dimension
    fmt = TEMPLATE["Globals"]["Api"]["AccessLogSetting"]["Fn::If"][1]["Format"]["Fn::Sub"]
    assert not re.search(r"header|querystring|requestOverride|body", fmt, re.I), "access logs never carry keys"
    assert RESOURCES["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"
