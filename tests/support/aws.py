"""In-process AWS (moto) holding the template's tables and queues, for integration tests."""
import os

import boto3
import routes  # tools/routes.py: the template reader


def create_template_resources(region: str = "us-east-1") -> dict:
    """Create every table and queue template.yaml declares; returns {logical id: name or url}."""
    ddb = boto3.client("dynamodb", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    out = {}
    resources = routes.template()["Resources"]
    for name, res in resources.items():
        if res["Type"] == "AWS::DynamoDB::Table":
            p = res["Properties"]
            kwargs = {"TableName": name, "AttributeDefinitions": p["AttributeDefinitions"],
                      "KeySchema": p["KeySchema"], "BillingMode": "PAY_PER_REQUEST"}
            if p.get("GlobalSecondaryIndexes"):
                kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
            ddb.create_table(**kwargs)
            out[name] = name
    for name, res in resources.items():
        if res["Type"] == "AWS::SQS::Queue":
            out[name] = sqs.create_queue(QueueName=name)["QueueUrl"]
    return out


def use_tables(names: dict) -> None:
    os.environ["TABLE_NAME"] = names["AccordTable"]
    os.environ["IDEMPOTENCY_TABLE"] = names["IdempotencyTable"]
