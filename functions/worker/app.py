"""Reports worker: records the messages of the reports queue — Dagster reports (accord.reports.sqs)
and OpenLineage events (accord.ingest.queue tells them apart by shape).

Powertools' batch utilities report partial failures (`batchItemFailures`): a message fails only
for storage trouble (retried), an unreadable body or an unknown tenant (to the DLQ after the
queue's maxReceiveCount); invalid events are rejected — stored with their reason, never retried.
"""
from aws_lambda_powertools.utilities.batch import process_partial_response

from accord import metrics
from accord.ingest import queue

processor = queue.processor()


@metrics.flushed
def lambda_handler(event, context):
    return process_partial_response(event=event, record_handler=queue.stage, processor=processor, context=context)
