"""SES: the sender identity, the configuration set every faka email goes through, and the set's events.

SES publishes what happens to each email (sent, delivered, bounced, complained about, opened, clicked,
rejected) to the mail-events topic, which feeds the mail-events queue and its consumer.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from faka import resources
from infra.constructs.messaging import WorkQueue


class Email(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, sender_email: str, create_identity: bool, events_queue: WorkQueue
    ) -> None:
        super().__init__(scope, construct_id)
        self.sender_email = sender_email

        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            # Named: the mailer names it on every send (see faka.adapters.messaging.SesMailer).
            configuration_set_name=resources.MAIL_CONFIGURATION_SET,
            # A buyer who bounced or complained once is not mailed again; repeated bounces would put the
            # whole account's sending at risk.
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            reputation_metrics=True,
            # Emails carry card codes: never hand them to a receiving server over plain SMTP.
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )

        self.identity: ses.EmailIdentity | None = None
        if create_identity:
            # Verifying the single address is enough to send; a domain identity with DKIM is set up
            # outside the stack (sesIdentity=none) because it needs DNS records this app does not own.
            self.identity = ses.EmailIdentity(
                self,
                "SenderIdentity",
                identity=ses.Identity.email(sender_email),
                # As the identity's default, SES applies the set without the code naming it.
                configuration_set=self.configuration_set,
            )
        self.events_topic = self._publish_events(events_queue)

    def _publish_events(self, events_queue: WorkQueue) -> sns.Topic:
        stack = Stack.of(self)
        from_this_set = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="ses",
                    resource="configuration-set",
                    resource_name=self.configuration_set.configuration_set_name,
                )
            },
        }
        # A key of its own: SES must be allowed to use it, and has no business near the other keys.
        key = kms.Key(
            self, "EventsTopicKey", description="Encrypts the faka mail events topic", enable_key_rotation=True
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowSesToPublishEvents",
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=from_this_set,
            )
        )
        topic = sns.Topic(self, "EventsTopic", topic_name=resources.MAIL_EVENTS_TOPIC, master_key=key, enforce_ssl=True)
        # The destination also allows SES (for this set and account only) to publish to the topic.
        self.configuration_set.add_event_destination(
            "Events",
            destination=ses.EventDestination.sns_topic(topic),
            events=[ses.EmailSendingEvent[kind.upper()] for kind in resources.MAIL_EVENT_TYPES],
        )
        topic.add_subscription(
            subscriptions.SqsSubscription(
                events_queue.queue,
                # The body is the SES event itself, as the local runtime subscribes it.
                raw_message_delivery=True,
                # An event SNS cannot deliver lands beside the ones the consumer gave up on: one alarm covers both.
                dead_letter_queue=events_queue.dead_letter_queue,
            )
        )
        return topic

    def send_resource_arns(self) -> list[str]:
        """What ses:SendEmail is authorised against: the sender as an address or as its domain, and the set."""
        stack = Stack.of(self)
        domain = self.sender_email.rpartition("@")[2]
        return [
            stack.format_arn(service="ses", resource="identity", resource_name=self.sender_email),
            stack.format_arn(service="ses", resource="identity", resource_name=domain),
            stack.format_arn(
                service="ses",
                resource="configuration-set",
                resource_name=self.configuration_set.configuration_set_name,
            ),
        ]
