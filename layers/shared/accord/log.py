"""One structured logger for every function (Powertools Logger: JSON lines, Lambda context)."""
from aws_lambda_powertools import Logger

logger = Logger(service="accord")
