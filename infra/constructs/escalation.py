"""ActivationEscalation: the Standard workflow that reminds buyers to activate delivered keys, and its starter."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from faka import resources
from faka.config import Env
from infra.constructs.functions import LOG_RETENTION
from infra.constructs.messaging import Messaging
from infra.constructs.storage import Storage
from infra.nag import acknowledge

REPO_ROOT = Path(__file__).resolve().parents[2]


class Escalation(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, storage: Storage, messaging: Messaging, starter: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        spec = resources.ACTIVATION_ESCALATION
        orders_table = storage.tables[resources.ORDERS_TABLE]
        notifier_queue = messaging.queues[resources.NOTIFIER_QUEUE.name].queue
        operator_topic = messaging.operator_topic

        log_group = logs.LogGroup(
            self,
            "Logs",
            # Step Functions delivers logs through CloudWatch vended logs; this prefix keeps the account's log
            # resource policy from growing by one statement per state machine.
            log_group_name=f"/aws/vendedlogs/states/{spec.physical_name}",
            retention=LOG_RETENTION,
            # Step Functions keeps each execution's history itself; these logs are for debugging.
            removal_policy=RemovalPolicy.DESTROY,
        )

        # Exactly what the ASL's tasks call, written out: the grant_* helpers would add the orders table's
        # indexes and the queue's GetQueueAttributes/GetQueueUrl, which no task uses.
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"Execution role of the {spec.physical_name} state machine",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["dynamodb:GetItem"], resources=[orders_table.table_arn]))
        # The notifier queue uses SQS-managed encryption: sending needs no KMS permission.
        role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[notifier_queue.queue_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[operator_topic.topic_arn]))
        # The operator topic is encrypted with its own key; SNS uses it on the publisher's behalf.
        role.add_to_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[messaging.topic_key.key_arn])
        )

        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=spec.physical_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inline rather than an S3 asset: the template then holds the definition that cfn-lint and the
            # infra tests read.
            definition_body=sfn.DefinitionBody.from_string(
                (REPO_ROOT / spec.definition_file).read_text(encoding="utf-8")
            ),
            definition_substitutions=resources.activation_escalation_substitutions(
                notifier_queue_url=notifier_queue.queue_url, operator_topic_arn=operator_topic.topic_arn
            ),
            role=role,
            tracing_enabled=True,
            # ALL is what cdk-nag asks for; without execution data the log holds state names and errors, never
            # an order's input.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Added by tracing and logging: X-Ray's PutTraceSegments/PutTelemetryRecords/GetSampling* and CloudWatch "
            "Logs' log-delivery actions (CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, ...) have no "
            "resource-level permissions, so '*' is the only possible resource.",
        )

        starter.add_environment(Env.ESCALATION_STATE_MACHINE_ARN, self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(starter)
