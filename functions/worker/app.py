"""Reports worker: records the events sent to the reports queue (accord.reports.sqs).

Powertools' batch utilities report partial failures (`batchItemFailures`): a message fails only
for storage trouble (retried), an unreadable body or an unknown tenant (to the DLQ after the
queue's maxReceiveCount); invalid events are rejected — stored with their reason, never retried.
"""
from aws_lambda_powertools.utilities.batch import process_partial_response

from accord import metrics
from accord.reports import sqs

processor = sqs.processor()


@metrics.flushed
def lambda_handler(event, context):
    return process_partial_response(event=event, record_handler=sqs.stage, processor=processor, context=context)
