"""SES: the sender identity and the configuration set every faka email goes through."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ses as ses
from constructs import Construct


class Email(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sender_email: str, create_identity: bool) -> None:
        super().__init__(scope, construct_id)
        self.sender_email = sender_email

        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
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
