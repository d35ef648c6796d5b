"""Storefront webhooks: the delivery function parks a delivery whose attempts are spent in the dead-letter queue.

The queues, the rule, both functions and their sends to the deliveries queue come from their specs in
``faka.resources`` like every other; this construct adds only that. The delivery function POSTs to storefronts
on the internet: it runs outside any VPC, where Lambda has internet egress without a NAT gateway.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from faka import resources
from infra.constructs.messaging import Messaging


class StorefrontWebhooks(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, messaging: Messaging, functions: dict[str, lambda_.Function]
    ) -> None:
        super().__init__(scope, construct_id)
        deliveries = messaging.queues[resources.WEBHOOK_DELIVERIES_QUEUE.name]
        # A delivery whose attempts are spent is parked in the dead-letter queue by the delivery function itself.
        deliveries.dead_letter_queue.grant_send_messages(functions[resources.WEBHOOK_DELIVERY_FUNCTION.name])
