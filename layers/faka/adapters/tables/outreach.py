"""The outreach table: the outreach policy's counters per buyer and per shop (written by
faka.adapters.counters), and items of other capabilities.

Those are SES's reports on each email (``MAIL#<SES message id>``, faka.sales.mail_events), the platform's rating
leaderboard (``RECOMMENDED`` / ``LEADERBOARD``, faka.insight.ratings) and the shops' reminder experiments
(``EXPERIMENTS#<shop>``, ``EXPERIMENT#<id>``; faka.activation.experiments).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.models import Model

from faka import resources
from faka.adapters.tables.base import TableMeta


class OutreachItem(Model):
    """Per-buyer and per-shop counters of the outreach policy: daily caps, opt-outs, votes, advice."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute(null=True)


class MailEventItem(OutreachItem):
    """What SES reported about one email: ``MAIL#<SES message id>`` / ``EVENT#<time>#<type>``."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    event_type = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    # The event's own facts (bounce type, SMTP answer, opener's user agent), as JSON: they differ per type.
    detail = UnicodeAttribute(default="{}")


class RatingLeaderboardItem(OutreachItem):
    """The platform's best-rated recommended products (``RECOMMENDED`` / ``LEADERBOARD``), best first."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    # [{"shop_id", "sku", "name", "mean", "count"}] as JSON, at most the rules' leaderboard size.
    entries = UnicodeAttribute(default="[]")
    # pynamodb conditions every save on it, so two consumers placing products at once never lose one.
    version = VersionAttribute()


class ReminderExperimentItem(OutreachItem):
    """A shop's reminder experiment (faka.activation.experiments): ``EXPERIMENTS#<shop>`` / ``EXP#<id>``."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    experiment_id = UnicodeAttribute()
    level = NumberAttribute()
    # The variants besides the control, as JSON [{"name", "template", "send_hour"}].
    variants = UnicodeAttribute()
    min_per_arm = NumberAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    stopped_at = UTCDateTimeAttribute(null=True)
    promoted_variant = UnicodeAttribute(null=True)
    promoted_at = UTCDateTimeAttribute(null=True)
    # The significance test that promoted it, as JSON {"p_value", "leader", "runner_up"}.
    decision = UnicodeAttribute(null=True)
    # The last day (UTC, YYYY-MM-DD) a reminder ran the test: the day's first reminder runs it, once.
    evaluated_on = UnicodeAttribute(null=True)


class ReminderExperimentSlotItem(OutreachItem):
    """The one experiment running for a shop's reminder level, until stopped: ``EXPERIMENTS#<shop>`` / ``LEVEL#<n>``."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    experiment_id = UnicodeAttribute()


class ReminderAssignmentItem(OutreachItem):
    """The variant an order's reminder got in an experiment, written once: ``EXPERIMENT#<id>`` / ``ORDER#<order>``."""

    class Meta(TableMeta):
        table_name = resources.OUTREACH_TABLE

    variant = UnicodeAttribute()
    assigned_at = UTCDateTimeAttribute()
