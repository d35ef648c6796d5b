"""ActivationEscalation: the Standard workflow that reminds buyers to activate delivered keys, and its starter."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.messaging import Messaging
from infra.constructs.storage import Storage
from infra.constructs.workflow import StandardWorkflow


class Escalation(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, storage: Storage, messaging: Messaging, starter: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        spec = resources.ACTIVATION_ESCALATION
        orders_table = storage.tables[resources.ORDERS_TABLE]
        notifier_queue = messaging.queues[resources.NOTIFIER_QUEUE.name].queue
        operator_topic = messaging.operator_topic

        workflow = StandardWorkflow(
            self,
            "Workflow",
            spec=spec,
            substitutions=resources.activation_escalation_substitutions(
                notifier_queue_url=notifier_queue.queue_url, operator_topic_arn=operator_topic.topic_arn
            ),
        )
        # Exactly what the ASL's tasks call, written out: the grant_* helpers would add the orders table's
        # indexes and the queue's GetQueueAttributes/GetQueueUrl, which no task uses.
        workflow.allow(["dynamodb:GetItem"], [orders_table.table_arn])
        # The notifier queue uses SQS-managed encryption: sending needs no KMS permission.
        workflow.allow(["sqs:SendMessage"], [notifier_queue.queue_arn])
        workflow.allow(["sns:Publish"], [operator_topic.topic_arn])
        # The operator topic is encrypted with its own key; SNS uses it on the publisher's behalf.
        workflow.allow(["kms:GenerateDataKey", "kms:Decrypt"], [messaging.topic_key.key_arn])
        self.role = workflow.role
        self.state_machine = workflow.state_machine

        starter.add_environment(Env.ESCALATION_STATE_MACHINE_ARN, self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(starter)
