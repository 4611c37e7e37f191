"""API Gateway REST (v1) proxy events and SQS events, as the handlers receive them."""
import json
import uuid

from accord.auth.principal import Principal


def api_event(method: str, resource: str, path_params: dict | None = None, *, body=None,
              query: dict | None = None, headers: dict | None = None,
              principal: Principal | None = None, raw_body: str | None = None) -> dict:
    path = resource
    for k, v in (path_params or {}).items():
        path = path.replace("{" + k + "}", str(v)).replace("{" + k + "+}", str(v))
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_params or None, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": path,
                           "stage": "v1", "requestId": str(uuid.uuid4()),
                           "authorizer": principal.to_context() if principal else None},
        "body": raw_body, "isBase64Encoded": False,
    }


def sqs_event(bodies: list, queue_arn="arn:aws:sqs:us-east-1:123456789012:ReportsQueue") -> dict:
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": f"rh-{i}", "body": b if isinstance(b, str) else json.dumps(b),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1",
    } for i, b in enumerate(bodies)]}


def body(response: dict):
    return json.loads(response["body"]) if response.get("body") else None
