"""In-process AWS (moto) holding the template's tables and queues, for integration tests."""
import os

import boto3

from local.cfn import load_model
from local.emulator import create_resources
from tests.conftest import ROOT


def create_template_resources(region: str = "us-east-1") -> dict:
    """Create every table and queue template.yaml declares; returns {logical id: name or url}."""
    model = load_model(str(ROOT / "template.yaml"))
    urls = create_resources(model, boto3.client("dynamodb", region_name=region),
                            boto3.client("sqs", region_name=region))
    return {**{lid: t.name for lid, t in model.tables.items()}, **urls}


def use_tables(names: dict) -> None:
    os.environ["TABLE_NAME"] = names["AccordTable"]
