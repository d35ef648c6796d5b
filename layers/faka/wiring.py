"""Builds the domain services from settings, once per container; handlers take what they use.

Each service is built on first use, and its capability imported then, so a function imports only the capabilities
it uses and one that never sends mail never creates an SES client.
"""

from __future__ import annotations

from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING

import boto3

from faka import resources
from faka.adapters.secrets import resolve_secret
from faka.config import Settings, get_settings

if TYPE_CHECKING:
    from faka.activation.activation import Activations
    from faka.activation.escalation import EscalationScheduler
    from faka.activation.experiments import ReminderExperiments
    from faka.activation.outreach import OutreachPolicy
    from faka.activation.reminders import ActivationReminders, HeldReminders
    from faka.adapters.counters import Counters
    from faka.adapters.messaging import (
        EventBridgePublisher,
        SesMailer,
        SqsNoticeQueue,
    )
    from faka.adapters.vault import KmsKeyVault
    from faka.buyer.link_actions import LinkActions
    from faka.buyer.order_lookup import OrderLookup
    from faka.catalog.catalog import Catalog, Shops
    from faka.insight.batch_health import BatchHealth
    from faka.insight.kpis import Kpis
    from faka.insight.ratings import Ratings
    from faka.insight.suggestions import Complaints
    from faka.knowledge.store import ShopKnowledge
    from faka.ledger.ledger import Ledger
    from faka.money.backorders import Backorders
    from faka.money.disputes import Disputes
    from faka.money.holds import HeldOrders
    from faka.money.payment_failures import PaymentFailures
    from faka.money.provider_refunds import ProviderRefunds
    from faka.money.refund_notices import RefundNotices
    from faka.money.refund_outcomes import RefundOutcomes
    from faka.money.refund_policies import RefundPolicies
    from faka.money.refunds import Refunds
    from faka.payments.shop_methods import PaymentNetwork, ShopPaymentMethods
    from faka.payments.usdt_trc20 import AmountSlots
    from faka.platform.access import OperatorAccess
    from faka.platform.alert_channels import AlertChannels, ChannelAlerts
    from faka.platform.callback_secrets import CallbackSecrets
    from faka.platform.webhooks import WebhookDeliveries, WebhookSubscriptions
    from faka.ports import PaymentProvider
    from faka.sales.buyer_mail import BuyerMail
    from faka.sales.delivered import DeliveredKeys
    from faka.sales.fulfilment import Fulfilment
    from faka.sales.mail_events import MailEvents
    from faka.sales.notifications import Notices
    from faka.sales.order_actions import OrderActions
    from faka.sales.order_search import CursorCodec, OrderExports
    from faka.sales.orders import Orders
    from faka.sales.reconciliation import Reconciliation
    from faka.sales.redaction import BuyerText
    from faka.shared.links import LinkSigner
    from faka.shared.templating import MessageTemplates
    from faka.support.corrections import ShopCorrections
    from faka.support.drafts import ReplyDrafts
    from faka.support.help_desk import HelpDesk
    from faka.support.inbound_mail import InboundMail
    from faka.support.playbooks import Playbooks
    from faka.support.tickets import Tickets
    from faka.support.tone import ShopTone
    from faka.trust.risk import RiskRules, RiskSignals


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def events(self) -> EventBridgePublisher:
        from faka.adapters.messaging import EventBridgePublisher

        return EventBridgePublisher(boto3.client("events"))

    @cached_property
    def vault(self) -> KmsKeyVault:
        from faka.adapters.vault import KmsKeyVault

        pepper = resolve_secret("", resources.HASH_PEPPER_SECRET, name="key hash pepper")
        return KmsKeyVault(boto3.client("kms"), resources.KMS_KEY_ALIAS, pepper.encode())

    @cached_property
    def delivered_keys(self) -> DeliveredKeys:
        from faka.sales.delivered import DeliveredKeys

        return DeliveredKeys(self.vault)

    @cached_property
    def shops(self) -> Shops:
        from faka.catalog.catalog import Shops

        return Shops()

    @cached_property
    def catalog(self) -> Catalog:
        from faka.catalog.catalog import Catalog

        return Catalog(self.vault, self.events)

    @cached_property
    def orders(self) -> Orders:
        from faka.sales.orders import Orders

        return Orders(
            self.catalog,
            self.events,
            ttl_minutes=self.settings.order_ttl_minutes,
            max_quantity=self.settings.max_quantity,
            links=self.links,
        )

    @cached_property
    def fulfilment(self) -> Fulfilment:
        from faka.sales.fulfilment import Fulfilment
        from faka.sales.issuance import KeyIssuer

        return Fulfilment(self.orders, KeyIssuer(), self.events)

    @cached_property
    def templates(self) -> MessageTemplates:
        from faka.shared.templating import MessageTemplates

        return MessageTemplates(self.settings.templates_dir)

    @cached_property
    def mailer(self) -> SesMailer:
        from faka.adapters.messaging import SesMailer

        return SesMailer(boto3.client("ses"), self.settings.sender_email)

    @cached_property
    def links(self) -> LinkSigner:
        """Signs buyer links with their own secret, which no supplier or shop ever holds."""
        from faka.shared.links import LinkSigner

        # Read on first use: a function that builds services holding the signer but never signs needs no grant.
        secret = partial(resolve_secret, self.settings.link_secret, resources.LINK_SIGNING_SECRET, name="link secret")
        return LinkSigner(secret, self.settings.public_base_url, order_link_days=self.settings.order_link_days)

    @cached_property
    def link_actions(self) -> LinkActions:
        from faka.buyer.link_actions import LinkActions

        return LinkActions(self.links, self.orders, self.activations, self.tickets, self.outreach, self.counters)

    @cached_property
    def callback_secrets(self) -> CallbackSecrets:
        """Verify supplier callbacks; shops without their own use the deployment's FAKA_SIGNING_SECRET."""
        from faka.platform.callback_secrets import CallbackSecrets

        settings = self.settings
        deployment = resolve_secret(settings.signing_secret, settings.signing_secret_id, name="signing secret")
        return CallbackSecrets(self.vault, self.catalog, deployment)

    @cached_property
    def operator_alerts(self) -> ChannelAlerts:
        """To the operators' SNS topic, and through the outbound webhook machinery to the shop's alert channels."""
        from faka.adapters.messaging import SnsOperatorAlerts
        from faka.platform.alert_channels import ChannelAlerts

        topic = SnsOperatorAlerts(boto3.client("sns"), self.settings.operator_topic_arn)
        return ChannelAlerts(topic, self.alert_channels, lambda: self.webhook_deliveries)

    @cached_property
    def alert_channels(self) -> AlertChannels:
        from faka.adapters.vault import KmsKeyVault
        from faka.platform.alert_channels import AlertChannels

        # Bot tokens and signing secrets are sealed under the webhook secrets' key, for the same reason as theirs.
        vault = KmsKeyVault(boto3.client("kms"), resources.WEBHOOK_SECRETS_KEY_ALIAS, pepper=b"")
        return AlertChannels(
            vault,
            allow_loopback=self.settings.webhook_allow_loopback,
            telegram_api_url=self.settings.telegram_api_url,
        )

    @cached_property
    def counters(self) -> Counters:
        from faka.adapters.counters import Counters

        return Counters()

    @cached_property
    def buyer_text(self) -> BuyerText:
        from faka.sales.redaction import BuyerText

        return BuyerText(lambda code, product: self.vault.fingerprint(code, context=product), self.orders)

    @cached_property
    def tickets(self) -> Tickets:
        from faka.support.tickets import Tickets

        return Tickets(
            self.events,
            self.orders,
            self.templates,
            buyer_text=self.buyer_text,
            links=self.links,
            playbooks=self.playbooks,
            desk=self.help_desk,
            knowledge=self.shop_knowledge,
            corrections=self.intent_corrections,
            tone=self.shop_tone,
            counters=self.counters,
        )

    @cached_property
    def shop_knowledge(self) -> ShopKnowledge:
        from faka.knowledge.store import ShopKnowledge

        return ShopKnowledge()

    @cached_property
    def intent_corrections(self) -> ShopCorrections:
        from faka.support.corrections import ShopCorrections

        return ShopCorrections()

    @cached_property
    def shop_tone(self) -> ShopTone:
        from faka.support.tone import ShopTone

        return ShopTone()

    @cached_property
    def reply_drafts(self) -> ReplyDrafts | None:
        """Operators' reply drafts, or None where the deployment leaves them off (the default)."""
        if self.settings.reply_drafts == "off":
            return None
        from faka.adapters.bedrock import BedrockConverse
        from faka.support.drafts import ReplyDrafts

        client = boto3.client("bedrock-runtime", endpoint_url=self.settings.bedrock_endpoint_url or None)
        send_at = self.settings.reply_draft_send_at
        return ReplyDrafts(
            BedrockConverse(client, self.settings.reply_draft_model),
            self.help_desk,
            self.buyer_text,
            self.shop_knowledge,
            self.shop_tone,
            send_at=None if send_at == "off" else float(send_at),
        )

    @cached_property
    def playbooks(self) -> Playbooks:
        from faka.sales.issuance import KeyIssuer
        from faka.shared.templating import FALLBACK_LOCALE
        from faka.support.playbooks import PlaybookRules, Playbooks

        return Playbooks(
            PlaybookRules.load(),
            orders=self.orders,
            catalog=self.catalog,
            fulfilment=self.fulfilment,
            issuer=KeyIssuer(),
            notices=self.notices,
            refunds=lambda: self.refunds,
            provider_for=lambda order: self.payment_methods.for_order(order),
            mail=lambda: self.mail_events,
            counters=self.counters,
            risk_rules=self.risk_rules,
            guides=self.templates.guides()[FALLBACK_LOCALE],
            events=self.events,
            buyer_mail=self.buyer_mail,
            links=self.links,
        )

    @cached_property
    def help_desk(self) -> HelpDesk:
        from faka.platform.alert_channels import AlertKind
        from faka.support.canned_replies import CannedReplies
        from faka.support.help_desk import HelpDesk
        from faka.support.sla_clocks import SlaBudget

        return HelpDesk(
            self.counters,
            self.operator_alerts.of_kind(AlertKind.SLA_BREACH),
            self.mailer,
            self.templates,
            self.links,
            self.shops,
            SlaBudget.parse(self.settings.ticket_sla_seconds),
            CannedReplies.load(),
            self.events,
            ticket_url=self.settings.public_base_url.rstrip("/") + "/v1/admin/tickets/{ticket_id}",
            buyer_text=self.buyer_text,
            orders=self.orders,
            tone=self.shop_tone,
        )

    @cached_property
    def buyer_mail(self) -> BuyerMail:
        from faka.sales.buyer_mail import BuyerMail

        return BuyerMail(self.catalog, self.shops, self.templates, self.mailer, links=self.links)

    @cached_property
    def order_lookup(self) -> OrderLookup:
        from faka.buyer.order_lookup import OrderLookup

        return OrderLookup(self.orders, self.counters, self.buyer_mail, self.links)

    @cached_property
    def notices(self) -> Notices:
        from faka.sales.notifications import Notices

        return Notices(
            self.orders,
            self.catalog,
            self.delivered_keys,
            self.buyer_mail,
            self.operator_alerts,
            self.links,
        )

    @cached_property
    def cursors(self) -> CursorCodec:
        """Signs every list endpoint's cursors, with the buyer-link secret under a context of its own."""
        from faka.sales.order_search import CursorCodec

        settings = self.settings
        return CursorCodec(
            partial(resolve_secret, settings.link_secret, resources.LINK_SIGNING_SECRET, name="link secret")
        )

    @cached_property
    def order_exports(self) -> OrderExports:
        from faka.adapters.exports import S3ExportStore
        from faka.sales.order_search import OrderExports

        # The S3 client is made only when an export is too large to answer inline.
        return OrderExports(
            lambda: S3ExportStore(boto3.client("s3"), self.settings.export_bucket), self.settings.export_inline_bytes
        )

    @cached_property
    def order_actions(self) -> OrderActions:
        from faka.sales.order_actions import OrderActions

        return OrderActions(self.orders, lambda: self.notices, self.counters)

    @cached_property
    def outreach(self) -> OutreachPolicy:
        from faka.activation.outreach import OutreachPolicy, QuietHours
        from faka.adapters.messaging import SesSendingHealth

        return OutreachPolicy(
            self.counters,
            SesSendingHealth(boto3.client("ses")),
            QuietHours.parse(self.settings.quiet_hours),
            self.settings.daily_reminder_cap,
        )

    @cached_property
    def reminders(self) -> ActivationReminders:
        from faka.activation.guide_rules import RULES_FILE, GuideChooser
        from faka.activation.reminders import ActivationReminders

        guides = GuideChooser.load(RULES_FILE, self.templates.guides())
        return ActivationReminders(
            self.orders,
            self.catalog,
            self.delivered_keys,
            self.buyer_mail,
            self.links,
            guides,
            self.outreach,
            lambda: self.tickets,
            self.counters,
            self.reminder_experiments,
        )

    @cached_property
    def reminder_experiments(self) -> ReminderExperiments:
        from faka.activation.experiments import ReminderExperiments, reminder_templates

        return ReminderExperiments(reminder_templates(self.settings.templates_dir))

    @cached_property
    def inbound_mail(self) -> InboundMail:
        from faka.support.inbound_mail import InboundMail

        return InboundMail(
            boto3.client("s3"),
            self.settings.mail_bucket,
            self.tickets,
            self.mailer,
            self.settings.default_shop,
            orders=self.orders,
            links=self.links,
            templates=self.templates,
        )

    @cached_property
    def notice_queue(self) -> SqsNoticeQueue:
        from faka.adapters.messaging import SqsNoticeQueue

        return SqsNoticeQueue(boto3.client("sqs"))

    @cached_property
    def activations(self) -> Activations:
        from faka.activation.activation import Activations

        return Activations(self.orders, self.catalog, self.vault, self.events, self.counters)

    @cached_property
    def held_reminders(self) -> HeldReminders:
        from faka.activation.one_time import DueTarget, OneTimeSchedules
        from faka.activation.reminders import HeldReminders

        return HeldReminders(
            self.notice_queue,
            OneTimeSchedules(
                boto3.client("scheduler"),
                DueTarget(
                    resources.ACTIVATION_DUE_SCHEDULE_GROUP,
                    self.settings.reminder_due_queue_arn,
                    self.settings.activation_due_role_arn,
                    self.settings.activation_due_dlq_arn,
                ),
            ),
        )

    @cached_property
    def escalation(self) -> EscalationScheduler:
        from faka.activation.escalation import EscalationScheduler, parse_offsets
        from faka.activation.one_time import DueTarget

        return EscalationScheduler(
            boto3.client("stepfunctions"),
            boto3.client("scheduler"),
            self.settings.escalation_state_machine_arn,
            DueTarget(
                resources.ACTIVATION_DUE_SCHEDULE_GROUP,
                self.settings.activation_due_queue_arn,
                self.settings.activation_due_role_arn,
                self.settings.activation_due_dlq_arn,
            ),
            parse_offsets(self.settings.escalation_seconds),
        )

    @cached_property
    def access(self) -> OperatorAccess:
        from faka.platform.access import CognitoOperators, OperatorAccess

        token = self.settings.admin_token or (
            resolve_secret("", self.settings.admin_token_secret_id, name="admin token")
            if self.settings.admin_token_secret_id
            else ""
        )
        pool = self.settings.operator_user_pool_id
        return OperatorAccess(self.shops, token, CognitoOperators(boto3.client("cognito-idp"), pool) if pool else None)

    @cached_property
    def origin_verify_secret(self) -> str:
        """What proves a request came through the CloudFront distribution; empty where there is none (locally)."""

        if not (self.settings.origin_verify_secret or self.settings.origin_verify_secret_id):
            return ""
        return resolve_secret(
            self.settings.origin_verify_secret, self.settings.origin_verify_secret_id, name="origin-verify secret"
        )

    @cached_property
    def payment_provider(self) -> PaymentProvider:
        """The platform's Stripe account in live mode (its one key, when it has one)."""
        return self.stripe_accounts[True]

    @cached_property
    def stripe_accounts(self) -> dict[bool, PaymentProvider]:
        """The platform's Stripe account by mode (live: True), each shop's checkout in the shop's mode."""
        from faka.payments.providers import SandboxCheckout, StripeCheckout, is_live_key, stripe_keys

        if self.settings.payment_provider == "sandbox":
            sandbox = SandboxCheckout(self.settings.public_base_url)
            return {True: sandbox, False: sandbox}
        keys = stripe_keys(resolve_secret("", self.settings.stripe_api_key_secret_id, name="Stripe API key"))
        base = self.settings.public_base_url.rstrip("/")
        # Imported here: the Stripe SDK costs about 0.3 s of cold start, which only Stripe deployments should pay.
        import stripe

        accounts = {
            key: StripeCheckout(stripe.StripeClient(key), base, livemode=is_live_key(key)) for key in set(keys.values())
        }
        return {live: accounts[key] for live, key in keys.items()}

    @cached_property
    def payment_network(self) -> PaymentNetwork:
        """The providers' APIs over HTTPS; ``faka local`` and the tests replace it with their stand-ins."""
        from faka.payments.shop_methods import PaymentNetwork

        return PaymentNetwork(
            tron_url=self.settings.tron_api_url,
            tron_test_url=self.settings.tron_test_api_url,
            usdt_test_contract=self.settings.usdt_test_contract,
            wechat_pay_test_url=self.settings.wechat_pay_test_url or None,
        )

    @cached_property
    def amount_slots(self) -> AmountSlots:
        from faka.payments.usdt_wallet import DynamoAmountSlots

        return DynamoAmountSlots()

    @cached_property
    def payment_methods(self) -> ShopPaymentMethods:
        from datetime import timedelta

        from faka.payments.shop_methods import ShopPaymentMethods

        return ShopPaymentMethods(
            self.vault,
            self.payment_network,
            self.amount_slots,
            lambda live: self.stripe_accounts[live],
            public_base_url=self.settings.public_base_url,
            expires_in=timedelta(minutes=self.settings.order_ttl_minutes),
            confirmations=self.settings.usdt_confirmations,
        )

    @cached_property
    def stripe_webhook_secret(self) -> str:

        return resolve_secret(
            self.settings.stripe_webhook_secret, self.settings.stripe_webhook_secret_id, name="Stripe webhook secret"
        )

    @cached_property
    def risk_rules(self) -> RiskRules:
        from faka.trust.risk import RiskRules

        return RiskRules.load()

    @cached_property
    def risk_signals(self) -> RiskSignals:
        from faka.trust.risk import RiskSignals

        return RiskSignals(self.counters, self.risk_rules)

    @cached_property
    def refund_policies(self) -> RefundPolicies:
        from faka.money.refund_policies import RefundPolicies

        return RefundPolicies(self.risk_rules.refund_defaults)

    @cached_property
    def refunds(self) -> Refunds:
        from faka.money.refund_review import ReviewWorkflow
        from faka.money.refunds import Refunds
        from faka.platform.alert_channels import AlertKind

        workflow = ReviewWorkflow(
            boto3.client("stepfunctions"),
            self.settings.refund_state_machine_arn,
            self.settings.refund_reminder_seconds,
        )
        # The providers and the help desk are built when a task needs them: assessing a refund needs neither.
        return Refunds(
            self.orders,
            self.events,
            lambda order: self.payment_methods.for_order(order),
            workflow,
            self.refund_policies,
            self.risk_rules,
            self.risk_signals,
            self.operator_alerts.of_kind(AlertKind.REFUND_REVIEW),
            lambda: self.tickets,
            self.counters,
            decision_url=self.settings.public_base_url.rstrip("/") + "/v1/admin/refunds/{refund_id}/decision",
            buyer_text=self.buyer_text,
        )

    @cached_property
    def refund_notices(self) -> RefundNotices:
        from faka.money.refund_notices import RefundNotices

        return RefundNotices(self.orders, self.buyer_mail)

    @cached_property
    def backorders(self) -> Backorders:
        from datetime import timedelta

        from faka.money.backorders import Backorders

        return Backorders(
            self.orders, lambda: self.refunds, refund_after=timedelta(hours=self.settings.backorder_refund_hours)
        )

    @cached_property
    def refund_outcomes(self) -> RefundOutcomes:
        from faka.money.refund_outcomes import RefundOutcomes

        return RefundOutcomes(self.refunds, self.operator_alerts)

    @cached_property
    def provider_refunds(self) -> ProviderRefunds:
        from faka.money.provider_refunds import ProviderRefunds

        return ProviderRefunds(self.orders, self.refunds, self.payment_provider, self.events, self.operator_alerts)

    @cached_property
    def payment_failures(self) -> PaymentFailures:
        from faka.money.payment_failures import PaymentFailures

        return PaymentFailures(self.orders)

    @cached_property
    def held_orders(self) -> HeldOrders:
        from faka.money.holds import HeldOrders

        return HeldOrders(self.orders, self.fulfilment, self.refunds)

    @cached_property
    def reconciliation(self) -> Reconciliation:
        from datetime import timedelta

        from faka.sales.reconciliation import Reconciliation

        return Reconciliation(
            self.orders,
            self.fulfilment,
            self.payment_methods.for_order,
            after_seconds=self.settings.reconcile_after_seconds,
            order_ttl=timedelta(minutes=self.settings.order_ttl_minutes),
        )

    @cached_property
    def disputes(self) -> Disputes:
        from faka.money.disputes import Disputes

        return Disputes(
            self.orders,
            self.payment_provider,
            self.events,
            self.risk_signals,
            self.tickets,
            self.counters,
            self.mail_events,
        )

    @cached_property
    def mail_events(self) -> MailEvents:
        from faka.sales.mail_events import MailEvents

        return MailEvents()

    @cached_property
    def ratings(self) -> Ratings:
        from faka.insight.ratings import RatingRules, Ratings
        from faka.platform.alert_channels import AlertKind

        return Ratings(
            RatingRules.load(self.templates.locales),
            self.catalog,
            self.counters,
            self.events,
            self.operator_alerts.of_kind(AlertKind.LOW_RATING),
            lambda: self.tickets,
            self.templates.locale_for,
            lambda: self.buyer_text,
        )

    @cached_property
    def batch_health(self) -> BatchHealth:
        from faka.insight.batch_health import BatchHealth, HealthRules
        from faka.platform.alert_channels import AlertKind

        return BatchHealth(
            HealthRules.load(),
            self.catalog,
            self.shops,
            self.counters,
            self.events,
            self.operator_alerts.of_kind(AlertKind.BATCH_QUARANTINE),
            self.buyer_mail,
            self.mailer,
            self.templates,
        )

    @cached_property
    def complaints(self) -> Complaints:
        from faka.insight.suggestions import Complaints

        return Complaints(self.counters)

    @cached_property
    def kpis(self) -> Kpis:
        from faka.insight.kpis import Kpis

        return Kpis(self.counters, self.orders, self.batch_health, self.complaints)

    @cached_property
    def ledger(self) -> Ledger:
        from faka.ledger.ledger import Ledger
        from faka.ledger.store import LedgerStore

        return Ledger(LedgerStore(), self.settings.commission_bps)

    @cached_property
    def webhooks(self) -> WebhookSubscriptions:
        from faka.adapters.vault import KmsKeyVault
        from faka.platform.webhooks import WebhookSubscriptions

        # Under their own KMS key, so the function calling operator-chosen URLs can never open a card key; nothing
        # fingerprints a webhook secret, so that vault needs no pepper.
        vault = KmsKeyVault(boto3.client("kms"), resources.WEBHOOK_SECRETS_KEY_ALIAS, pepper=b"")
        return WebhookSubscriptions(vault, allow_loopback=self.settings.webhook_allow_loopback)

    @cached_property
    def webhook_deliveries(self) -> WebhookDeliveries:
        from faka.adapters.webhooks import HttpWebhookSender, SqsDeliveryQueue
        from faka.platform.alert_channels import CHANNEL_ID_PREFIX, ChannelSender
        from faka.platform.webhooks import RetrySchedule, WebhookDeliveries

        return WebhookDeliveries(
            self.webhooks,
            SqsDeliveryQueue(boto3.client("sqs")),
            # The alert channels' email deliveries go out through SES, the rest over HTTP behind the SSRF guard.
            ChannelSender(HttpWebhookSender(allow_loopback=self.settings.webhook_allow_loopback), lambda: self.mailer),
            RetrySchedule(self.settings.webhook_retry_seconds, self.settings.webhook_max_attempts),
            targets={CHANNEL_ID_PREFIX: self.alert_channels},
        )


@lru_cache(maxsize=1)
def services() -> Services:
    return Services(get_settings())
